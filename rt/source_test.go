package rt_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/abi"
	"r2go.dev/r2go/rt/internal/fakerust"
)

// startUpload starts a handler reading uint64 items with buffer n, as the
// export of an async method with a stream parameter does.
func startUpload(t *testing.T, n int, h func(context.Context, *rt.Source[uint64], []byte) ([]byte, error)) fakerust.Upload {
	t.Helper()
	u := fakerust.NewUpload()
	if !export(u.Ptr(), rt.LeaveStarted, func(started *bool) {
		src := rt.NewSource(u.Ptr(), n, func(r *rt.ListRef) []uint64 { return rt.ReadScalars[uint64](r) })
		rt.GoUpload(u.Ptr(), nil, nil, src, func(ctx context.Context, buf []byte) ([]byte, error) {
			return h(ctx, src, buf)
		})
		*started = true
	}) {
		t.Fatal("Enter refused the call")
	}
	return u
}

// sumAll reads every item, which must be 0, 1, 2, ..., and returns their
// count and sum (8 bytes each) appended to buf, or Next's error.
func sumAll(ctx context.Context, src *rt.Source[uint64], buf []byte) ([]byte, error) {
	var count, sum uint64
	for v, err := range src.All(ctx) {
		if err != nil {
			return buf, err
		}
		if v != count {
			return buf, errors.New("out of order")
		}
		count++
		sum += v
	}
	return binary.NativeEndian.AppendUint64(binary.NativeEndian.AppendUint64(buf, count), sum), nil
}

func TestUploadAsksForHalfTheBufferAndReadsInOrder(t *testing.T) {
	u := startUpload(t, 4, sumAll)
	defer u.Free()
	waitFor(t, "the first request", func() bool { return u.Wants() == 1 })
	if got := u.Credit(); got != 4 {
		t.Fatalf("first request: %d items, want the buffer's 4", got)
	}
	u.Feed(0, 4, abi.FeedMore, "")
	// Taking item 1 leaves 2 (half): ask 2; taking item 3 leaves none
	// received and 2 asked: ask 2 more. Then 4 are asked: no more.
	waitFor(t, "two more requests", func() bool { return u.Wants() == 3 })
	if got := u.Credit(); got != 8 {
		t.Fatalf("after 4 items: %d items asked in all, want 8", got)
	}
	u.Feed(4, 4, abi.FeedEnd, "")
	waitFor(t, "the completion", func() bool { return u.Completes() == 1 })
	if u.Status() != rt.StatusOK {
		t.Fatalf("status %d: %s", u.Status(), u.End())
	}
	end := u.End()
	if count, sum := binary.NativeEndian.Uint64(end), binary.NativeEndian.Uint64(end[8:]); count != 8 || sum != 28 {
		t.Errorf("the handler read %d items summing to %d, want 8 and 28", count, sum)
	}
	if got := u.Wants(); got != 3 {
		t.Errorf("%d requests after the end, want 3", got)
	}
	if rt.OpenSources() != 0 {
		t.Errorf("%d sources open after the handler returned", rt.OpenSources())
	}
}

func TestUploadErrorItemEndsTheSource(t *testing.T) {
	u := startUpload(t, 4, sumAll)
	defer u.Free()
	waitFor(t, "the first request", func() bool { return u.Wants() == 1 })
	u.Feed(0, 2, abi.FeedError, "bad row")
	waitFor(t, "the completion", func() bool { return u.Completes() == 1 })
	if got, want := string(u.End()), "r2go: the Rust stream ended with an error: bad row"; u.Status() != rt.StatusError || got != want {
		t.Errorf("completed with %d %q, want %d %q", u.Status(), got, rt.StatusError, want)
	}
}

func TestUploadDropClosesTheSource(t *testing.T) {
	errs := make(chan error, 1)
	u := startUpload(t, 4, func(ctx context.Context, src *rt.Source[uint64], buf []byte) ([]byte, error) {
		// Background: the source itself must fail once Rust drops the call.
		for {
			if _, ok, err := src.Next(context.Background()); !ok || err != nil {
				errs <- err
				if ctx.Err() == nil {
					return buf, errors.New("the context outlived the drop")
				}
				return buf, err
			}
		}
	})
	defer u.Free()
	waitFor(t, "the first request", func() bool { return u.Wants() == 1 })
	u.Feed(0, 1, abi.FeedMore, "")
	if !u.Cancel() {
		t.Fatal("Go offered no cancel function")
	}
	err := fakerust.Recv(t, "Next's error", errs)
	if !errors.Is(err, rt.ErrStreamClosed) || err.Error() != "r2go: the stream is closed: Rust dropped it" {
		t.Errorf("Next returned %v after the drop", err)
	}
	waitFor(t, "the completion", func() bool { return u.Completes() == 1 })
	// A feed after the handler ended finds no source and changes nothing.
	u.Feed(1, 1, abi.FeedMore, "")
	if rt.OpenSources() != 0 {
		t.Errorf("%d sources open after the handler returned", rt.OpenSources())
	}
}
