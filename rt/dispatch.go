package rt

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// How async calls reach a goroutine. Starting a goroutine from a cgo export
// is cheap, but it only runs once another thread wakes up and steals it from
// the exporting thread's P, and a sleeping thread's wake-up takes several
// microseconds on small machines. So a goroutine that has just finished a
// call stays for a moment, spinning, as the idle worker; the next call hands
// its job to it with two atomic operations and no wake-up. Without an idle
// worker, a call starts a goroutine as before. (ADR 0006.)

// idleSpin is how long a worker waits for the next call before it exits.
const idleSpin = 50 * time.Microsecond

// spinMaxInFlight: a worker waits for the next call only while at most this
// many calls are in flight, in Go and as Rust last reported them. With more,
// calls arrive without a pause, new goroutines start anyway, and a spinning
// worker would only hold a P that a Rust thread entering Go for the next call
// needs. Go's own count is not enough: calls Go has finished stay in flight
// in Rust until their tasks run, so a dozen tasks can look like one or two.
const spinMaxInFlight = 2

// rustInFlight is how many async calls Rust had in flight when it made the
// latest one (the slot header says).
var rustInFlight atomic.Int64

// canSpin: with a single P, a spinning worker would hold the only P.
var canSpin = runtime.GOMAXPROCS(0) > 1

// idleSpins learns whether idle workers are claimed within idleSpin: when
// calls come further apart (a caller that sleeps between calls), spinning
// only burns a core.
var idleSpins spinPolicy

// job is one async call on its way to a goroutine.
type job struct {
	ctx      callContext
	box      *[]byte // holds the pooled result buffer while the handler runs
	slot     unsafe.Pointer
	lim      *Limiter
	matchErr ErrorEncoder
	handler  Handler
	src      source // the stream parameter's, or nil
}

// worker is a goroutine waiting, spinning, for a job handed to it.
type worker struct {
	next atomic.Pointer[job]
}

// idle is the worker waiting for the next call, if any.
var idle atomic.Pointer[worker]

// dispatch runs j on the idle worker, or on a new goroutine.
func dispatch(j *job) {
	if w := idle.Swap(nil); w != nil {
		w.next.Store(j)
		return
	}
	goroutines.Add(1)
	go work(j)
}

// work runs jobs until no call arrives within idleSpin of the last one.
func work(j *job) {
	defer goroutines.Add(-1)
	var w worker // offered as the idle worker between jobs, reused
	for j != nil {
		j.run()
		j = w.awaitJob()
	}
}

// awaitJob offers w as the idle worker and waits up to idleSpin for a job;
// nil means none came (or another worker was already idle, or spinning does
// not pay now) and the goroutine should exit. A worker is claimed at most
// once per offer: the claimer's Swap takes it out of idle before it stores
// the job.
func (w *worker) awaitJob() *job {
	if n := calls.count.Load(); !canSpin || n&closed != 0 || n > spinMaxInFlight || rustInFlight.Load() > spinMaxInFlight {
		return nil // no call will come (shut down), or calls come anyway
	}
	if !idleSpins.shouldSpin() {
		return nil
	}
	w.next.Store(nil)
	if !idle.CompareAndSwap(nil, w) {
		return nil
	}
	deadline := time.Now().Add(idleSpin)
	for i := 0; ; i++ {
		if j := w.next.Load(); j != nil {
			idleSpins.record(true)
			return j
		}
		if i%64 == 63 {
			if time.Now().After(deadline) && idle.CompareAndSwap(w, nil) {
				idleSpins.record(false)
				return nil // withdrawn before anyone claimed it
			}
			// Let other goroutines of this P run; a claimed worker's
			// job is stored right after the claim.
			runtime.Gosched()
		}
	}
}

// run runs the job's handler and completes its slot, however the handler
// ends: it returns, returns an error, panics (with any value, nil included),
// or calls runtime.Goexit. In the last case this goroutine ends once the
// deferred calls have run, so completing the slot is itself deferred.
func (j *job) run() {
	defer exit()
	finished := false
	defer func() {
		if !finished {
			j.finish(StatusPanic, append(Buffer(), endedGoexit...))
		}
	}()
	buf, status := j.invoke()
	finished = true
	j.finish(status, buf)
}

// invoke runs the handler once it has a place, and returns its encoded
// result or what it ended with. The place is released however it ends.
func (j *job) invoke() (buf []byte, status uint32) {
	if !j.lim.acquire(&j.ctx) {
		return append(Buffer(), "r2go: the call was cancelled while it waited for a free handler"...), StatusShutdown
	}
	defer j.lim.release()
	returned := false
	defer func() {
		// After runtime.Goexit recover returns nil too, and run's deferred
		// call reports it, since this goroutine never gets back there.
		if r := recover(); r != nil || !returned {
			buf, status = append(Buffer(), endedWith(r, true)...), panicStatus(r)
		}
	}()
	j.box = buffers.Get().(*[]byte)
	buf, err := j.handler(&j.ctx, startBuffer(*j.box))
	returned = true
	if err != nil && j.src != nil && j.src.shutDown() {
		// The handler's error is most likely its source's: report the cause.
		return append(buf[:header], "the Go side shut down while the upload was open"...), StatusShutdown
	}
	if err != nil {
		buf, status = encodeError(buf[:header], err, j.matchErr)
	}
	return buf, status
}

// finish completes the slot. It forgets the slot first: once completed, Rust
// may free it and reuse its address for another call.
func (j *job) finish(status uint32, buf []byte) {
	if j.src != nil {
		j.src.end() // before the completion releases Go's reference to the slot
	}
	j.ctx.finish()
	complete(j.slot, status, buf)
	if j.box != nil && cap(buf) <= maxPooled {
		// The box the buffer came in goes back with it: no allocation.
		*j.box = buf[:0]
		buffers.Put(j.box)
		return
	}
	recycle(buf)
}
