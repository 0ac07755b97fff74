package rt

import "sync/atomic"

// spinPolicy decides whether waiting for the other side is worth spinning.
// A spin that is answered within its window saves a thread's sleep and
// wake-up; one that is not burns a core for nothing. So after missAfter
// spins in a row went unanswered, only one wait in probeEvery spins, until
// one is answered again. Isolated misses (a caller descheduled for a moment)
// change nothing. The fields are updated without a lock: a lost update only
// nudges a heuristic.
type spinPolicy struct {
	misses atomic.Int32 // unanswered spins in a row
	skips  atomic.Uint32
}

const (
	missAfter  = 4
	probeEvery = 32
)

// shouldSpin reports whether the next wait should spin.
func (p *spinPolicy) shouldSpin() bool {
	if p.misses.Load() < missAfter {
		return true
	}
	return p.skips.Add(1)%probeEvery == 0
}

// record adds a spin's outcome: answered within its window or not.
func (p *spinPolicy) record(answered bool) {
	if answered {
		p.misses.Store(0)
	} else if p.misses.Load() < missAfter {
		p.misses.Add(1)
	}
}
