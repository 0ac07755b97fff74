package rt

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"r2go.dev/r2go/rt/internal/fakerust"
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
	ctx, cancel := context.WithTimeout(context.Background(), fakerust.Within)
	defer cancel()
	if n := g.shutdown(ctx, func() { t.Errorf("the calls did not drain within %v", fakerust.Within) }); n != 0 {
		t.Errorf("shutdown returned %d in flight", n)
	}
	afterShutdown.Store(true)
	if r := running.Load(); r != 0 {
		t.Errorf("%d calls still running after shutdown returned", r)
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	fakerust.Recv(t, "the callers to stop", done)
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
	ctx, cancel = context.WithTimeout(context.Background(), fakerust.Within)
	defer cancel()
	if n := g.shutdown(ctx, nil); n != 0 {
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
	select {
	case ok := <-got:
		if ok {
			t.Error("a cancelled wait got a place")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled wait did not give up within 10 s")
	}
	l.release()
	if !l.acquire(ctx) {
		t.Error("a released place was not free")
	}
	if n := placesTaken.Load(); n != 2 {
		t.Errorf("%d places counted as taken, want 2", n)
	}
	l.release()
	l.release()
	if n := placesTaken.Load(); n != 0 {
		t.Errorf("%d places counted as taken after every release, want 0", n)
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

// TestConcurrentShutdownsAllReturnWhenTheCallsDrain starts several
// shutdowns while one call is in flight: every one returns as soon as the
// call ends, not at its own deadline, and a later one returns at once.
func TestConcurrentShutdownsAllReturnWhenTheCallsDrain(t *testing.T) {
	g := newGate()
	if !g.enter() {
		t.Fatal("open gate refused a call")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	results := make(chan int64, 3)
	for range 3 {
		go func() { results <- g.shutdown(ctx, func() { t.Error("the deadline passed") }) }()
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	g.exit()
	for range 3 {
		if n := fakerust.Recv(t, "a shutdown to return", results); n != 0 {
			t.Errorf("shutdown returned %d in flight, want 0", n)
		}
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("the shutdowns returned %v after the call ended", waited)
	}
	if n := g.shutdown(ctx, nil); n != 0 {
		t.Errorf("a later shutdown returned %d, want 0", n)
	}
}

// r2go1_test_export stands for a generated export: insideHandler knows
// exports by their symbol's prefix.
func r2go1_test_export() bool { return insideHandler() }

func TestInsideHandlerKnowsHandlersFromOtherCode(t *testing.T) {
	if insideHandler() {
		t.Error("a test goroutine is not a handler")
	}
	if !r2go1_test_export() {
		t.Error("code called by an export runs a sync handler")
	}
	slot := fakerust.NewSlot()
	defer slot.Free()
	inside := make(chan bool, 1)
	if !Enter(slot.Ptr()) {
		t.Fatal("the open gate refused a call")
	}
	Go(slot.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		inside <- insideHandler()
		return buf, nil
	}) // Go takes the admission over: no exit here
	if !fakerust.Recv(t, "the async handler", inside) {
		t.Error("an async handler was not recognised")
	}
	fakerust.WaitFor(t, "the call to complete", func() bool { return slot.Calls() > 0 })
	started := make(chan bool, 1)
	go func() { started <- insideHandler() }()
	if fakerust.Recv(t, "a plain goroutine", started) {
		t.Error("a goroutine that no handler runs was taken for one")
	}
}
