package rt

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGateDrainsConcurrentCalls admits calls from many goroutines while a
// shutdown begins (run with -race): every admitted call is waited for, and
// none is admitted after shutdown has returned.
func TestGateDrainsConcurrentCalls(t *testing.T) {
	g := newGate()
	var (
		admitted, running atomic.Int64
		afterShutdown     atomic.Bool
		wg                sync.WaitGroup
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if !g.enter() {
					return
				}
				if afterShutdown.Load() {
					t.Error("a call was admitted after shutdown returned")
				}
				admitted.Add(1)
				running.Add(1)
				time.Sleep(time.Microsecond)
				running.Add(-1)
				g.exit()
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if n := g.shutdown(context.Background(), func() { t.Error("no deadline was set") }); n != 0 {
		t.Errorf("shutdown returned %d in flight", n)
	}
	afterShutdown.Store(true)
	if r := running.Load(); r != 0 {
		t.Errorf("%d calls still running after shutdown returned", r)
	}
	wg.Wait()
	if admitted.Load() == 0 {
		t.Error("no call was admitted before shutdown")
	}
	if g.enter() {
		t.Error("enter after shutdown admitted a call")
	}
	if n := g.inFlight(); n != 0 {
		t.Errorf("in flight after refusing: %d", n)
	}
}

func TestGateDeadlineReportsCallsInFlight(t *testing.T) {
	g := newGate()
	for i := 0; i < 3; i++ {
		if !g.enter() {
			t.Fatal("open gate refused a call")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var onDeadline int
	if n := g.shutdown(ctx, func() { onDeadline++ }); n != 3 {
		t.Errorf("shutdown returned %d, want 3", n)
	}
	if onDeadline != 1 {
		t.Errorf("onDeadline ran %d times, want 1", onDeadline)
	}
	for i := 0; i < 3; i++ {
		g.exit()
	}
	if n := g.shutdown(context.Background(), nil); n != 0 {
		t.Errorf("second shutdown returned %d, want 0", n)
	}
}

func TestLimiterBoundsAndGivesUpOnCancel(t *testing.T) {
	reg := NewRegistration(0, []RegisterOption{MaxConcurrent(2)})
	l := reg.Limit
	if l == nil || cap(l.places) != 2 {
		t.Fatalf("MaxConcurrent(2) made %+v", l)
	}
	ctx := context.Background()
	if !l.acquire(ctx) || !l.acquire(ctx) {
		t.Fatal("two places were not free")
	}
	cctx, cancel := context.WithCancel(ctx)
	got := make(chan bool)
	go func() { got <- l.acquire(cctx) }()
	select {
	case <-got:
		t.Fatal("a third call got a place")
	case <-time.After(10 * time.Millisecond):
	}
	cancel()
	if <-got {
		t.Error("a cancelled wait got a place")
	}
	l.release()
	if !l.acquire(ctx) {
		t.Error("a released place was not free")
	}
	if NewRegistration(0, nil).Limit != nil || NewRegistration(0, []RegisterOption{MaxConcurrent(0)}).Limit != nil {
		t.Error("no bound must mean a nil Limiter")
	}
	var none *Limiter
	if !none.acquire(cctx) {
		t.Error("a nil Limiter must never wait")
	}
	none.release()
}
