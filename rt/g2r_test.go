package rt

import (
	"context"
	"errors"
	"testing"
	"time"
	"unsafe"

	"r2go.dev/r2go/rt/internal/fakerust"
)

var (
	fakeSync  = RustMethod{Name: "Fake::sync", Register: "FakeImpl::register", Index: 0}
	fakeAsync = RustMethod{Name: "Fake::async", Register: "FakeImpl::register", Index: 1}
	fakeMany  = RustMethod{Name: "Fake::many", Register: "FakeImpl::register", Index: 2}
)

func installedFuncs() *RustFuncs {
	var f RustFuncs
	fns, n := fakerust.RustTable()
	f.Install(nil, fns, n)
	return &f
}

// syncCall calls the fake sync method, which completes with status and
// then v (status 0) or msg.
func syncCall(f *RustFuncs, status byte, v int64, msg string) (int64, error) {
	var got int64
	err := f.CallRust(&fakeSync, func(buf []byte) []byte {
		buf = append(buf, status)
		if status == 0 {
			return AppendScalar(buf, &v)
		}
		return append(buf, msg...)
	}, func(p unsafe.Pointer) { got = *(*int64)(p) }, nil)
	return got, err
}

func TestCallRustWithoutRegistrationNamesTheRegisterCall(t *testing.T) {
	var f RustFuncs
	_, err := syncCall(&f, 0, 1, "")
	want := "r2go: no Rust implementation of Fake::sync is registered: call FakeImpl::register from Rust first"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestCallRustDeliversValuesErrorsAndPanics(t *testing.T) {
	f := installedFuncs()
	frees := fakerust.RustFrees()
	if got, err := syncCall(f, StatusOK, -42, ""); got != -42 || err != nil {
		t.Errorf("ok: got %d, %v; want -42, nil", got, err)
	}
	cases := []struct {
		status byte
		want   string
	}{
		{StatusError, "division by zero"},
		{StatusPanic, "r2go: the Rust implementation of Fake::sync panicked: boom"},
		{StatusInvalid, "r2go: Fake::sync failed: too deep"},
	}
	for _, c := range cases {
		msg := map[byte]string{StatusError: "division by zero", StatusPanic: "boom", StatusInvalid: "too deep"}[c.status]
		if _, err := syncCall(f, c.status, 0, msg); err == nil || err.Error() != c.want {
			t.Errorf("status %d: err = %v, want %q", c.status, err, c.want)
		}
	}
	if n := ReadStats().RustCalls; n != 0 {
		t.Errorf("%d calls to Rust still in flight", n)
	}
	if got := fakerust.RustFrees() - frees; got != 4 {
		t.Errorf("Go freed %d replies of 4 calls", got)
	}
}

func TestCallRustAfterShutdownFails(t *testing.T) {
	saved := calls
	calls = newGate()
	calls.close()
	defer func() { calls = saved }()
	_, err := syncCall(installedFuncs(), 0, 1, "")
	if !errors.Is(err, ErrRustShutdown) || err.Error() != "Fake::sync: "+ErrRustShutdown.Error() {
		t.Fatalf("err = %v, want Fake::sync: %v", err, ErrRustShutdown)
	}
}

func TestCallRustReportsArgumentsTooDeep(t *testing.T) {
	defer maxDepth.Store(maxDepth.Load())
	maxDepth.Store(1)
	f := installedFuncs()
	err := f.CallRust(&fakeSync, func(buf []byte) []byte {
		Nest(buf, "Tree")
		Nest(buf, "Tree")
		return buf
	}, nil, nil)
	var d *depthError
	if !errors.As(err, &d) {
		t.Fatalf("err = %v, want a depth error", err)
	}
}

// asyncCall starts the fake async method and returns its outcome.
func asyncCall(ctx context.Context, f *RustFuncs) (int64, error) {
	var got int64
	err := f.CallRustAsync(ctx, &fakeAsync, func(buf []byte) []byte { return buf },
		func(p unsafe.Pointer) { got = *(*int64)(p) }, nil)
	return got, err
}

// waitPending waits until the fake async method has a call other than prev.
func waitPending(t *testing.T, prev uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for fakerust.PendingRustCall() == prev {
		if time.Now().After(deadline) {
			t.Fatal("the async call did not reach Rust within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCallRustAsyncCompletesOrAbortsOnCancel(t *testing.T) {
	f := installedFuncs()
	released, aborted := fakerust.RustReleases()

	type result struct {
		v   int64
		err error
	}
	done := make(chan result, 1)
	prev := fakerust.PendingRustCall()
	go func() {
		v, err := asyncCall(context.Background(), f)
		done <- result{v, err}
	}()
	waitPending(t, prev)
	go fakerust.FinishRustCall(7) // from another thread, as a tokio worker would
	if r := <-done; r.v != 7 || r.err != nil {
		t.Fatalf("got %d, %v; want 7, nil", r.v, r.err)
	}
	if r, a := fakerust.RustReleases(); r != released+1 || a != aborted {
		t.Fatalf("releases %d (aborted %d), want %d (%d)", r, a, released+1, aborted)
	}

	ctx, cancel := context.WithCancel(context.Background())
	prev = fakerust.PendingRustCall()
	go func() {
		v, err := asyncCall(ctx, f)
		done <- result{v, err}
	}()
	waitPending(t, prev)
	cancel()
	if r := <-done; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("got %d, %v; want context.Canceled", r.v, r.err)
	}
	if r, a := fakerust.RustReleases(); r != released+2 || a != aborted+1 {
		t.Fatalf("releases %d (aborted %d), want %d (%d)", r, a, released+2, aborted+1)
	}
	// A completion that arrives after the abort is ignored.
	fakerust.FinishRustCall(8)
	if n := ReadStats().RustCalls; n != 0 {
		t.Errorf("%d calls to Rust still in flight", n)
	}
}

// TestConcurrentRustCompletionsAndCancellations races completions, which
// arrive from other goroutines (as from tokio's threads), against context
// cancellations (run with -race): every call returns its own result or its
// context's error, each task is released once and aborted only when the
// context won, and nothing stays registered.
func TestConcurrentRustCompletionsAndCancellations(t *testing.T) {
	f := installedFuncs()
	released, aborted := fakerust.RustReleases()
	const calls = 2000
	type result struct {
		v   int64
		err error
	}
	results := make(chan result, calls)
	for i := range calls {
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 0 {
			go func() {
				time.Sleep(time.Duration(i%7) * time.Millisecond)
				cancel()
			}()
		}
		go func() {
			defer cancel()
			var got int64
			err := f.CallRustAsync(ctx, &fakeMany, func(buf []byte) []byte { return buf },
				func(p unsafe.Pointer) { got = *(*int64)(p) }, nil)
			results <- result{got, err}
		}()
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			for _, id := range fakerust.TakeRustCalls() {
				go fakerust.FinishRustCallID(id)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	seen := map[int64]bool{}
	cancelled := 0
	deadline := time.After(30 * time.Second)
	for range calls {
		select {
		case r := <-results:
			switch {
			case errors.Is(r.err, context.Canceled):
				cancelled++
			case r.err != nil:
				t.Fatalf("unexpected error %v", r.err)
			case r.v <= 0 || seen[r.v]:
				t.Fatalf("result %d is not a fresh call id", r.v)
			default:
				seen[r.v] = true
			}
		case <-deadline:
			t.Fatal("the calls did not all return within 30 s")
		}
	}
	close(stop)
	<-finished
	// A context cancelled before the call reached Rust makes no task; every
	// other call releases its task once, aborting it when the context won.
	r, a := fakerust.RustReleases()
	if r, a := r-released, a-aborted; r-a != calls-cancelled || a > cancelled {
		t.Errorf("released %d, aborted %d; want %d released without abort, at most %d aborted", r, a, calls-cancelled, cancelled)
	}
	if n := ReadStats().RustCalls; n != 0 {
		t.Errorf("%d calls to Rust still in flight", n)
	}
	entries := 0
	rustCalls.Range(func(_, _ any) bool { entries++; return true })
	if entries != 0 {
		t.Errorf("%d calls left in the registry", entries)
	}
	t.Logf("%d of %d calls cancelled", cancelled, calls)
}
