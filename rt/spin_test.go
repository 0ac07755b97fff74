package rt

import "testing"

func TestSpinPolicyBacksOffFromUnansweredSpinsAndProbes(t *testing.T) {
	var p spinPolicy
	for i := range missAfter - 1 {
		p.record(false)
		if !p.shouldSpin() {
			t.Fatalf("after %d misses in a row the policy stopped spinning; want it to go on until %d", i+1, missAfter)
		}
	}
	p.record(true) // an answer resets the count
	for range missAfter - 1 {
		p.record(false)
	}
	if !p.shouldSpin() {
		t.Fatalf("misses separated by an answer stopped the spinning")
	}
	p.record(false)
	spins := 0
	for range 2 * probeEvery {
		if p.shouldSpin() {
			spins++
		}
	}
	if spins != 2 {
		t.Errorf("after %d misses in a row, %d of %d waits spin, want 2 (the probes)", missAfter, spins, 2*probeEvery)
	}
	p.record(true) // a probe was answered
	if !p.shouldSpin() {
		t.Errorf("an answered probe did not resume the spinning")
	}
}
