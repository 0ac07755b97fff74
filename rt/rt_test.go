package rt_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/abi"
	"r2go.dev/r2go/rt/internal/fakerust"
)

func TestReadCopiesLentMemory(t *testing.T) {
	p, free := fakerust.CString("héllo")
	s := rt.ReadString(&rt.StrRef{Ptr: p, Len: 6})
	free() // the copy must not depend on the lent memory
	if s != "héllo" {
		t.Errorf("ReadString = %q", s)
	}
	if got := rt.ReadString(&rt.StrRef{}); got != "" {
		t.Errorf("empty ReadString = %q", got)
	}

	nums := []int64{-1, 1 << 62, 7}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&nums[0])), 24)
	c, freeNums := fakerust.CBytes(raw)
	got := rt.ReadScalars[int64](&rt.ListRef{Ptr: c, Len: 3})
	freeNums()
	if diff := cmp.Diff([]int64{-1, 1 << 62, 7}, got); diff != "" {
		t.Errorf("ReadScalars (-want +got):\n%s", diff)
	}
	if got := rt.ReadScalars[int64](&rt.ListRef{}); got != nil {
		t.Errorf("empty ReadScalars = %v, want nil", got)
	}
}

func TestAppendEncodesNativeCountsAndRawScalars(t *testing.T) {
	s := "añ"
	v := []uint16{1, 0xffff}
	words := []string{"x", ""}
	var b []byte
	b = rt.AppendString(b, &s)
	b = rt.AppendScalars(b, &v)
	b = rt.AppendList(b, &words, rt.AppendString)
	flag := true
	b = rt.AppendScalar(b, &flag)

	var want []byte
	want = binary.NativeEndian.AppendUint64(want, 3)
	want = append(want, "añ"...)
	want = binary.NativeEndian.AppendUint64(want, 2)
	want = binary.NativeEndian.AppendUint16(want, 1)
	want = binary.NativeEndian.AppendUint16(want, 0xffff)
	want = binary.NativeEndian.AppendUint64(want, 2)
	want = binary.NativeEndian.AppendUint64(want, 1)
	want = append(want, 'x')
	want = binary.NativeEndian.AppendUint64(want, 0)
	want = append(want, 1)
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("encoding (-want +got):\n%s", diff)
	}
}

func TestCompleteAndLeave(t *testing.T) {
	slot := fakerust.NewSlot()
	defer slot.Free()
	rt.Complete(slot.Ptr(), append(rt.Buffer(), "ok"...))
	if slot.Calls() != 1 || slot.Status() != rt.StatusOK || string(slot.Data()) != "ok" {
		t.Errorf("Complete: calls %d status %d data %q", slot.Calls(), slot.Status(), slot.Data())
	}

	inFlight := rt.ReadStats().Calls
	panicky := fakerust.NewSlot()
	defer panicky.Free()
	if !export(panicky.Ptr(), rt.Leave, func(*bool) { panic("handler failed") }) {
		t.Fatal("the open gate refused a call")
	}
	if panicky.Calls() != 1 || panicky.Status() != rt.StatusPanic || string(panicky.Data()) != "handler failed" {
		t.Errorf("Leave after a panic: calls %d status %d data %q", panicky.Calls(), panicky.Status(), panicky.Data())
	}

	quiet := fakerust.NewSlot()
	defer quiet.Free()
	if !export(quiet.Ptr(), rt.Leave, func(returned *bool) { *returned = true }) {
		t.Fatal("the open gate refused a call")
	}
	if quiet.Calls() != 0 {
		t.Errorf("Leave after the handler returned completed the slot")
	}

	// A handler that neither returned nor left a panic value to recover:
	// panic(nil) under GODEBUG=panicnil=1, or runtime.Goexit.
	vanished := fakerust.NewSlot()
	defer vanished.Free()
	if !export(vanished.Ptr(), rt.Leave, func(*bool) {}) {
		t.Fatal("the open gate refused a call")
	}
	if want := "the handler did not return: it panicked with a nil value (GODEBUG=panicnil=1) or called runtime.Goexit"; vanished.Calls() != 1 || vanished.Status() != rt.StatusPanic || string(vanished.Data()) != want {
		t.Errorf("Leave without a return: calls %d status %d data %q, want 1, %d, %q", vanished.Calls(), vanished.Status(), vanished.Data(), rt.StatusPanic, want)
	}
	if got := rt.ReadStats().Calls; got != inFlight {
		t.Errorf("calls in flight %d after Enter and Leave, want %d", got, inFlight)
	}
}

// TestAsyncCallsCountOnceUntilTheirHandlerEnds: an async export's Enter
// admits the call and Go takes the admission over, so the call counts once,
// from Enter until its handler has ended; LeaveStarted counts it out only
// when the export failed before the handler started.
func TestAsyncCallsCountOnceUntilTheirHandlerEnds(t *testing.T) {
	before := rt.ReadStats().Calls
	slot := fakerust.NewSlot()
	defer slot.Free()
	release := make(chan struct{})
	running := make(chan struct{})
	if !goExport(slot.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		close(running)
		<-release
		return buf, nil
	}) {
		t.Fatal("the open gate refused a call")
	}
	fakerust.Recv(t, "the handler to run", running)
	if got := rt.ReadStats().Calls; got != before+1 {
		t.Errorf("calls in flight while the handler runs: %d, want %d", got, before+1)
	}
	close(release)
	fakerust.WaitFor(t, "the call to complete", func() bool { return slot.Calls() > 0 })
	fakerust.WaitFor(t, "the call to count out", func() bool { return rt.ReadStats().Calls == before })

	// The export panics while it reads its arguments: no goroutine started.
	failed := fakerust.NewSlot()
	defer failed.Free()
	if !export(failed.Ptr(), rt.LeaveStarted, func(*bool) { panic("bad argument") }) {
		t.Fatal("the open gate refused a call")
	}
	if failed.Calls() != 1 || failed.Status() != rt.StatusPanic || string(failed.Data()) != "bad argument" {
		t.Errorf("LeaveStarted after a panic: calls %d status %d data %q", failed.Calls(), failed.Status(), failed.Data())
	}
	if got := rt.ReadStats().Calls; got != before {
		t.Errorf("calls in flight %d after a failed start, want %d", got, before)
	}
}

// TestGoCompletesEverySlotOnce runs many async handlers at once, some
// panicking, and checks that each slot is completed exactly once with its
// own result (run with -race).
func TestGoCompletesEverySlotOnce(t *testing.T) {
	const n = 2000
	slots := make([]fakerust.Slot, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range slots {
		slots[i] = fakerust.NewSlot()
		goExport(slots[i].Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
			defer wg.Done()
			if ctx.Err() != nil {
				t.Errorf("call %d: context already done", i)
			}
			if i%7 == 0 {
				panic(i)
			}
			v := uint32(i)
			return rt.AppendScalar(buf, &v), nil
		})
	}
	fakerust.Recv(t, "every handler to run", waitGroupDone(&wg))
	// wg.Done runs inside the handler, before the completion: wait for those.
	for i := range slots {
		fakerust.WaitFor(t, fmt.Sprintf("slot %d to complete", i), func() bool { return slots[i].Calls() > 0 })
	}
	for i, s := range slots {
		want, status := binary.NativeEndian.AppendUint32(nil, uint32(i)), uint32(rt.StatusOK)
		if i%7 == 0 {
			want, status = []byte(strconv.Itoa(i)), rt.StatusPanic
		}
		if s.Calls() != 1 || s.Status() != status || string(s.Data()) != string(want) {
			t.Errorf("slot %d: calls %d status %d data %v; want 1, %d, %v", i, s.Calls(), s.Status(), s.Data(), status, want)
		}
		s.Free()
	}
}

func TestCancelReachesTheHandlersContext(t *testing.T) {
	slot := fakerust.NewSlot()
	defer slot.Free()
	started := make(chan struct{})
	goExport(slot.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		_ = ctx.Err() // looking at the context offers it to Rust
		close(started)
		if !fakerust.Done(t, "the cancellation", ctx) {
			return append(buf, "not cancelled"...), nil
		}
		return append(buf, "cancelled"...), nil
	})
	fakerust.Recv(t, "the handler to start", started)
	if !slot.Cancel() {
		t.Fatal("Go offered no cancel function in the slot")
	}
	fakerust.WaitFor(t, "the slot to complete", func() bool { return slot.Calls() > 0 })
	if string(slot.Data()) != "cancelled" {
		t.Errorf("data %q", slot.Data())
	}
	// A cancel after completion is a no-op.
	slot.Cancel()
	if slot.Calls() != 1 {
		t.Errorf("calls %d, want 1", slot.Calls())
	}
}

// TestCancelBeforeTheHandlerLooksStillReachesIt: a call dropped before its
// handler looked at its context has no cancel function to call (Go offers
// one only when the handler looks); the handler sees the cancellation when
// it does look, and nothing stays registered.
func TestCancelBeforeTheHandlerLooksStillReachesIt(t *testing.T) {
	slot := fakerust.NewSlot()
	defer slot.Free()
	dropped := make(chan struct{})
	goExport(slot.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		fakerust.Recv(t, "the drop", dropped)
		if err := ctx.Err(); err != context.Canceled {
			return append(buf, fmt.Sprint(err)...), nil
		}
		return append(buf, "cancelled"...), nil
	})
	if slot.Cancel() {
		t.Error("Go offered a cancel function before the handler looked at its context")
	}
	close(dropped)
	fakerust.WaitFor(t, "the slot to complete", func() bool { return slot.Calls() > 0 })
	if string(slot.Data()) != "cancelled" {
		t.Errorf("data %q, want %q", slot.Data(), "cancelled")
	}
	if n := rt.ReadStats().CancelEntries; n != 0 {
		t.Errorf("%d cancel functions registered after the call", n)
	}
}

// TestContextOfAFinishedCallIsCancelled: a context first looked at after
// its call finished (by a goroutine the handler left behind) is already
// cancelled, and a context derived from a live one ends with its call.
func TestContextOfAFinishedCallIsCancelled(t *testing.T) {
	untouched, derived := fakerust.NewSlot(), fakerust.NewSlot()
	defer untouched.Free()
	defer derived.Free()
	kept := make(chan context.Context, 1)
	goExport(untouched.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		kept <- ctx
		return buf, nil
	})
	ctx := fakerust.Recv(t, "the context", kept)
	fakerust.WaitFor(t, "the first slot to complete", func() bool { return untouched.Calls() > 0 })
	if err := ctx.Err(); err != context.Canceled {
		t.Errorf("ctx.Err() = %v, first looked at after the call, want %v", err, context.Canceled)
	}
	goExport(derived.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		child, cancel := context.WithCancel(ctx)
		_ = cancel // ends with its parent, which is what this tests
		kept <- child
		return buf, nil
	})
	child := fakerust.Recv(t, "the derived context", kept)
	fakerust.WaitFor(t, "the second slot to complete", func() bool { return derived.Calls() > 0 })
	fakerust.Recv(t, "the derived context to end", child.Done())
	if untouched.Cancel() {
		t.Error("a call whose handler never looked at its context offered a cancel function")
	}
	if n := rt.ReadStats().CancelEntries; n != 0 {
		t.Errorf("%d cancel functions registered after the calls", n)
	}
}

// TestContextMadeWhileTheCallFinishes makes contexts from goroutines the
// handlers leave behind, racing with the calls' completion (run with -race):
// each ends cancelled, and nothing stays registered.
func TestContextMadeWhileTheCallFinishes(t *testing.T) {
	const n = 500
	slots := make([]fakerust.Slot, n)
	errs := make(chan error, n)
	for i := range slots {
		slots[i] = fakerust.NewSlot()
		goExport(slots[i].Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
			go func() {
				select {
				case <-ctx.Done():
					errs <- ctx.Err()
				case <-time.After(fakerust.Within):
					errs <- fmt.Errorf("call %d: its context was never cancelled", i)
				}
			}()
			return buf, nil
		})
	}
	for range n {
		if err := fakerust.Recv(t, "a left-behind goroutine", errs); err != context.Canceled {
			t.Errorf("left-behind goroutine: %v, want %v", err, context.Canceled)
		}
	}
	for i := range slots {
		fakerust.WaitFor(t, fmt.Sprintf("slot %d to complete", i), func() bool { return slots[i].Calls() > 0 })
		slots[i].Free()
	}
	if n := rt.ReadStats().CancelEntries; n != 0 {
		t.Errorf("%d cancel functions registered after the calls", n)
	}
}

type testError struct{ Code uint32 }

func (e testError) Error() string { return "test error" }

func appendTestError(b []byte, e *testError) []byte { return rt.AppendScalar(b, &e.Code) }

func TestFailEncodesMatchingErrorsAndTextOtherwise(t *testing.T) {
	match := rt.ErrorAs(appendTestError)
	for _, tc := range []struct {
		name   string
		err    error
		match  rt.ErrorEncoder
		status uint32
		data   []byte
	}{
		{"value", testError{7}, match, rt.StatusErrorValue, binary.NativeEndian.AppendUint32(nil, 7)},
		{"wrapped pointer", fmt.Errorf("ctx: %w", &testError{9}), match, rt.StatusErrorValue, binary.NativeEndian.AppendUint32(nil, 9)},
		{"other error", errors.New("plain"), match, rt.StatusError, []byte("plain")},
		{"no error type", testError{7}, nil, rt.StatusError, []byte("test error")},
		{"nil pointer", (*testError)(nil), match, rt.StatusPanic, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slot := fakerust.NewSlot()
			defer slot.Free()
			// The handler has returned tc.err; a nil *testError panics in
			// Error(), while it is encoded.
			if !export(slot.Ptr(), rt.Leave, func(returned *bool) {
				*returned = true
				rt.Fail(slot.Ptr(), tc.err, tc.match)
			}) {
				t.Fatal("the open gate refused a call")
			}
			if slot.Calls() != 1 || slot.Status() != tc.status {
				t.Fatalf("calls %d status %d, want 1, %d", slot.Calls(), slot.Status(), tc.status)
			}
			if tc.data != nil && string(slot.Data()) != string(tc.data) {
				t.Errorf("data %v, want %v", slot.Data(), tc.data)
			}
		})
	}
}

func TestGoDeliversHandlerErrors(t *testing.T) {
	slot := fakerust.NewSlot()
	defer slot.Free()
	goExport(slot.Ptr(), nil, rt.ErrorAs(appendTestError), func(ctx context.Context, buf []byte) ([]byte, error) {
		buf = append(buf, "partial result, discarded"...)
		return buf, &testError{3}
	})
	fakerust.WaitFor(t, "the slot to complete", func() bool { return slot.Calls() > 0 })
	if slot.Status() != rt.StatusErrorValue || string(slot.Data()) != string(binary.NativeEndian.AppendUint32(nil, 3)) {
		t.Errorf("status %d data %v", slot.Status(), slot.Data())
	}
}

// TestGoWaitsForAPlaceAndCancelsWaiters runs async calls through a limiter
// of one place: a call whose context is cancelled while it waits completes
// with StatusShutdown without running.
func TestGoWaitsForAPlaceAndCancelsWaiters(t *testing.T) {
	lim := rt.NewRegistration(0, []rt.RegisterOption{rt.MaxConcurrent(1)}).Limit
	release := make(chan struct{})
	first, second := fakerust.NewSlot(), fakerust.NewSlot()
	defer first.Free()
	defer second.Free()
	started := make(chan struct{})
	goExport(first.Ptr(), lim, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		close(started)
		select {
		case <-release:
		case <-time.After(fakerust.Within):
			t.Errorf("the first call was never released")
		}
		return append(buf, "first"...), nil
	})
	fakerust.Recv(t, "the first call to start", started) // it holds the only place
	var ran atomic.Bool
	goExport(second.Ptr(), lim, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
		ran.Store(true)
		return buf, nil
	})
	// Waiting for a place looks at the context, which offers it to Rust.
	fakerust.WaitFor(t, "the second call to wait", func() bool { return rt.ReadStats().CancelEntries == 1 })
	if !second.Cancel() {
		t.Fatal("no cancel function offered")
	}
	fakerust.WaitFor(t, "the waiting call to complete", func() bool { return second.Calls() > 0 })
	if second.Status() != rt.StatusShutdown || ran.Load() {
		t.Errorf("waiting call: status %d, ran %v", second.Status(), ran.Load())
	}
	close(release)
	fakerust.WaitFor(t, "the first call to complete", func() bool { return first.Calls() > 0 })
	if first.Status() != rt.StatusOK || string(first.Data()) != "first" {
		t.Errorf("first call: status %d data %q", first.Status(), first.Data())
	}
}

// TestConcurrentCompletionsAndCancellations cancels half of many running
// async calls from other goroutines while the rest complete (run with
// -race): every slot is completed exactly once, cancelled handlers see their
// context end, and the runtime forgets every call.
func TestConcurrentCompletionsAndCancellations(t *testing.T) {
	const n = 1000
	slots := make([]fakerust.Slot, n)
	var sawCancel atomic.Int64
	for i := range slots {
		slots[i] = fakerust.NewSlot()
		goExport(slots[i].Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
			if i%2 == 0 && fakerust.Done(t, fmt.Sprintf("call %d's cancellation", i), ctx) {
				sawCancel.Add(1)
			}
			v := uint32(i)
			return rt.AppendScalar(buf, &v), nil
		})
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 2; i < n; i += 8 {
				slots[i].Cancel()
			}
		}()
	}
	fakerust.Recv(t, "the cancelling goroutines", waitGroupDone(&wg))
	for i := range slots {
		fakerust.WaitFor(t, fmt.Sprintf("slot %d to complete", i), func() bool { return slots[i].Calls() > 0 })
	}
	if got := sawCancel.Load(); got != n/2 {
		t.Errorf("%d handlers saw their cancellation, want %d", got, n/2)
	}
	for i, s := range slots {
		if s.Calls() != 1 || s.Status() != rt.StatusOK || string(s.Data()) != string(binary.NativeEndian.AppendUint32(nil, uint32(i))) {
			t.Errorf("slot %d: calls %d status %d data %v", i, s.Calls(), s.Status(), s.Data())
		}
		s.Cancel() // after completion: a no-op
		s.Free()
	}
	fakerust.WaitFor(t, "the handler goroutines to end", func() bool { return rt.ReadStats().HandlerGoroutines == 0 })
	if st := rt.ReadStats(); st.Calls != 0 || st.CancelEntries != 0 {
		t.Errorf("calls in flight after all completed: %d, cancel functions registered: %d", st.Calls, st.CancelEntries)
	}
}

// waitGroupDone is a channel closed when wg's count reaches zero.
func waitGroupDone(wg *sync.WaitGroup) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// TestGoCompletesHoweverTheHandlerEnds runs async handlers through a limiter
// of one place that return, fail, panic with nil and call runtime.Goexit:
// each completes its slot with what happened, and the place, the calls in
// flight, the handler goroutines and the registry of cancel functions all
// return to zero.
func TestGoCompletesHoweverTheHandlerEnds(t *testing.T) {
	lim := rt.NewRegistration(0, []rt.RegisterOption{rt.MaxConcurrent(1)}).Limit
	type ending struct {
		name    string
		handler rt.Handler
		status  uint32
		data    string
	}
	endings := []ending{
		{"returns", func(ctx context.Context, buf []byte) ([]byte, error) { return append(buf, 7), nil }, rt.StatusOK, "\x07"},
		{"fails", func(ctx context.Context, buf []byte) ([]byte, error) { return buf, errors.New("no") }, rt.StatusError, "no"},
		{"panics", func(ctx context.Context, buf []byte) ([]byte, error) { panic("boom") }, rt.StatusPanic, "boom"},
		{"panics with nil", func(ctx context.Context, buf []byte) ([]byte, error) { panic(nil) }, rt.StatusPanic,
			(&runtime.PanicNilError{}).Error()},
		{"calls Goexit", func(ctx context.Context, buf []byte) ([]byte, error) {
			runtime.Goexit()
			return buf, nil
		}, rt.StatusPanic, "the handler called runtime.Goexit"},
	}
	// Twice over: a place lost by any ending would stop the second round.
	for round := 0; round < 2; round++ {
		for _, e := range endings {
			slot := fakerust.NewSlot()
			goExport(slot.Ptr(), lim, nil, e.handler)
			fakerust.WaitFor(t, e.name+" to complete its slot", func() bool { return slot.Calls() > 0 })
			if slot.Calls() != 1 || slot.Status() != e.status || string(slot.Data()) != e.data {
				t.Errorf("round %d, a handler that %s: calls %d status %d data %q, want 1, %d, %q",
					round, e.name, slot.Calls(), slot.Status(), slot.Data(), e.status, e.data)
			}
			slot.Free()
		}
	}
	fakerust.WaitFor(t, "the handler goroutines to end", func() bool { return rt.ReadStats().HandlerGoroutines == 0 })
	if st := rt.ReadStats(); st.Calls != 0 || st.CancelEntries != 0 || st.LimiterPlaces != 0 {
		t.Errorf("after every ending: %+v, want no calls, cancel functions or places left", st)
	}
}

// list is a recursive value for the depth tests: its encoder nests.
type list struct{ next *list }

func appendList(buf []byte, l *list) []byte {
	rt.Nest(buf, "list")
	buf = rt.AppendOption(buf, &l.next, appendList)
	rt.Unnest(buf)
	return buf
}

func chainOf(n int) *list {
	var l *list
	for range n {
		l = &list{next: l}
	}
	return l
}

// TestNestBoundsTheDepthOfEncodedValues encodes values at the depth limit,
// one level deeper, and a cyclic one: the first completes, the others fail
// the call with StatusInvalid instead of exhausting the stack.
func TestNestBoundsTheDepthOfEncodedValues(t *testing.T) {
	cyclic := &list{}
	cyclic.next = cyclic
	for _, tc := range []struct {
		name   string
		value  *list
		status uint32
		data   string
	}{
		{"at the limit", chainOf(abi.DefaultMaxDepth), rt.StatusOK, ""},
		{"one level deeper", chainOf(abi.DefaultMaxDepth + 1), rt.StatusInvalid, "list is nested deeper than the depth limit of 10000 levels (is the value cyclic?)"},
		{"cyclic", cyclic, rt.StatusInvalid, "list is nested deeper than the depth limit of 10000 levels (is the value cyclic?)"},
	} {
		slot := fakerust.NewSlot()
		goExport(slot.Ptr(), nil, nil, func(ctx context.Context, buf []byte) ([]byte, error) {
			return appendList(buf, tc.value), nil
		})
		fakerust.WaitFor(t, tc.name+" to complete", func() bool { return slot.Calls() > 0 })
		if slot.Status() != tc.status || (tc.data != "" && string(slot.Data()) != tc.data) {
			t.Errorf("%s: status %d data %.80q, want %d, %q", tc.name, slot.Status(), slot.Data(), tc.status, tc.data)
		}
		if tc.status == rt.StatusOK && len(slot.Data()) != abi.DefaultMaxDepth {
			t.Errorf("%s: %d bytes encoded, want a 1 per link and a 0", tc.name, len(slot.Data()))
		}
		slot.Free()
	}
}
