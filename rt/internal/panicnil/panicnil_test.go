//go:debug panicnil=1

// Package panicnil tests package rt with GODEBUG=panicnil=1, under which
// recover returns nil for panic(nil): a handler that panics that way must
// still complete its call with a panic, never look as if it had returned.
package panicnil

import (
	"context"
	"testing"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/internal/fakerust"
)

func TestNilPanicsAreNotReturns(t *testing.T) {
	// The setting this package exists for.
	if r := func() (r any) {
		defer func() { r = recover() }()
		panic(nil)
	}(); r != nil {
		t.Fatalf("recover() = %v: this test binary does not run with panicnil=1", r)
	}

	sync := fakerust.NewSlot()
	defer sync.Free()
	func() {
		if !rt.Enter(sync.Ptr()) {
			t.Fatal("the open gate refused a call")
		}
		returned := false
		defer rt.Leave(sync.Ptr(), &returned)
		panic(nil)
	}()
	if want := "the handler did not return: it panicked with a nil value (GODEBUG=panicnil=1) or called runtime.Goexit"; sync.Calls() != 1 || sync.Status() != rt.StatusPanic || string(sync.Data()) != want {
		t.Errorf("sync: calls %d status %d data %q, want 1, %d, %q", sync.Calls(), sync.Status(), sync.Data(), rt.StatusPanic, want)
	}

	async := fakerust.NewSlot()
	defer async.Free()
	func() { // as an async export starts its handler
		if !rt.Enter(async.Ptr()) {
			t.Fatal("the open gate refused a call")
		}
		started := false
		defer rt.LeaveStarted(async.Ptr(), &started)
		rt.Go(async.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) { panic(nil) })
		started = true
	}()
	fakerust.WaitFor(t, "the async call to complete", func() bool { return async.Calls() > 0 })
	if want := "the handler panicked with a nil value (GODEBUG=panicnil=1)"; async.Calls() != 1 || async.Status() != rt.StatusPanic || string(async.Data()) != want {
		t.Errorf("async: calls %d status %d data %q, want 1, %d, %q", async.Calls(), async.Status(), async.Data(), rt.StatusPanic, want)
	}
	fakerust.WaitFor(t, "the handler goroutine to end", func() bool { return rt.ReadStats().HandlerGoroutines == 0 })
	if st := rt.ReadStats(); st.Calls != 0 || st.CancelEntries != 0 {
		t.Errorf("after the calls: %+v", st)
	}
}
