package rt_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/internal/fakerust"
)

// waitFor polls cond for up to a minute and fails the test naming what did
// not happen.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within a minute", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// items decodes a batch of uint32 items.
func items(b []byte) []uint32 {
	var out []uint32
	for ; len(b) >= 4; b = b[4:] {
		out = append(out, binary.NativeEndian.Uint32(b))
	}
	return out
}

// startStream starts a stream of uint32 items with buffer n and handler h.
func startStream(n int, h func(context.Context, *rt.Sink[uint32]) error) fakerust.Stream {
	s := fakerust.NewStream()
	streamExport(s.Ptr(), nil, n, nil, rt.AppendScalar[uint32], h)
	return s
}

func TestStreamBatchesBoundedItemsInOrder(t *testing.T) {
	const total, buffer = 1000, 8
	var wg sync.WaitGroup
	wg.Add(1)
	s := startStream(buffer, func(ctx context.Context, out *rt.Sink[uint32]) error {
		defer wg.Done()
		for i := range uint32(total) {
			if err := out.Send(i); err != nil {
				return err
			}
		}
		return nil
	})
	defer s.Free()
	var got []uint32
	for len(got) < total {
		batch := items(s.Pull())
		if len(batch) > buffer {
			t.Fatalf("a batch of %d items with a buffer of %d", len(batch), buffer)
		}
		got = append(got, batch...)
		if len(batch) == 0 {
			waitFor(t, "an item or a notification", func() bool { return s.Notifies() > 0 || s.Completes() > 0 })
		}
	}
	wg.Wait()
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
	for i, v := range got {
		if v != uint32(i) {
			t.Fatalf("item %d is %d", i, v)
		}
	}
	if s.Status() != rt.StatusOK || len(s.End()) != 0 {
		t.Fatalf("ended with status %d %q, want OK and no data", s.Status(), s.End())
	}
	if b := s.Pull(); b != nil {
		t.Fatalf("items after the end: %v", b)
	}
	s.Cancel()
	if n := rt.OpenStreams(); n != 0 {
		t.Fatalf("%d streams open after the drop", n)
	}
}

func TestStreamSendWaitsForRoomAndNotifiesAWaitingConsumer(t *testing.T) {
	sent := make(chan uint32, 100)
	release := make(chan struct{})
	s := startStream(3, func(ctx context.Context, out *rt.Sink[uint32]) error {
		<-release
		for i := range uint32(10) {
			if err := out.Send(i); err != nil {
				return err
			}
			sent <- i
		}
		return nil
	})
	defer s.Free()
	// Nothing yet: the consumer now waits, and the first Send notifies it.
	if b := s.Pull(); b != nil {
		t.Fatalf("items before any Send: %v", b)
	}
	close(release)
	waitFor(t, "the notification", func() bool { return s.Notifies() == 1 })
	waitFor(t, "a full buffer", func() bool { return len(sent) == 3 })
	time.Sleep(5 * time.Millisecond)
	if len(sent) != 3 {
		t.Fatalf("%d items sent into a buffer of 3", len(sent))
	}
	if got := items(s.Pull()); fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("first batch %v, want [0 1 2]", got)
	}
	waitFor(t, "room used again", func() bool { return len(sent) == 6 })
	if got := items(s.Pull()); fmt.Sprint(got) != "[3 4 5]" {
		t.Fatalf("second batch %v, want [3 4 5]", got)
	}
	// No pull found the buffer empty since the first: one notification.
	if n := s.Notifies(); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
	s.Cancel()
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
}

func TestStreamDropCancelsTheHandlerAndFailsSend(t *testing.T) {
	result := make(chan error, 1)
	s := startStream(2, func(ctx context.Context, out *rt.Sink[uint32]) error {
		for i := uint32(0); ; i++ {
			if err := out.Send(i); err != nil {
				if ctx.Err() == nil {
					result <- fmt.Errorf("Send failed with %v before the context was cancelled", err)
				} else {
					result <- err
				}
				return err
			}
		}
	})
	defer s.Free()
	if got := items(s.Pull()); len(got) > 2 {
		t.Fatalf("a batch of %d items with a buffer of 2", len(got))
	}
	if !s.Cancel() {
		t.Fatal("Go offered no cancel function")
	}
	select {
	case err := <-result:
		if !errors.Is(err, rt.ErrStreamClosed) {
			t.Fatalf("Send after the drop: %v, want rt.ErrStreamClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the handler did not return within a minute of the drop")
	}
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
	if n := rt.OpenStreams(); n != 0 {
		t.Fatalf("%d streams open after the drop", n)
	}
}

func TestStreamEndsWithTheHandlersErrorOrPanic(t *testing.T) {
	for _, c := range []struct {
		name   string
		end    func() error
		status uint32
		data   string
	}{
		{"error", func() error { return errors.New("disk full") }, rt.StatusError, "disk full"},
		{"panic", func() error { panic("bad item") }, rt.StatusPanic, "bad item"},
		{"Goexit", func() error { runtime.Goexit(); return nil }, rt.StatusPanic, "the handler called runtime.Goexit"},
	} {
		s := startStream(4, func(ctx context.Context, out *rt.Sink[uint32]) error {
			if err := out.Send(41); err != nil {
				return err
			}
			return c.end()
		})
		waitFor(t, c.name+" completion", func() bool { return s.Completes() == 1 })
		// The item sent before the failure is still there, then the end.
		if got := items(s.Pull()); fmt.Sprint(got) != "[41]" {
			t.Errorf("%s: items %v, want [41]", c.name, got)
		}
		if s.Status() != c.status || string(s.End()) != c.data {
			t.Errorf("%s: ended with %d %q, want %d %q", c.name, s.Status(), s.End(), c.status, c.data)
		}
		s.Cancel()
		s.Free()
	}
}

func TestSinkIsSafeForConcurrentSends(t *testing.T) {
	const senders, each = 8, 500
	s := startStream(16, func(ctx context.Context, out *rt.Sink[uint32]) error {
		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for g := range uint32(senders) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range uint32(each) {
					if err := out.Send(g<<16 | i); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	})
	defer s.Free()
	next := make([]uint32, senders)
	n := 0
	for n < senders*each {
		batch := items(s.Pull())
		for _, v := range batch {
			g, i := v>>16, v&0xffff
			if i != next[g] {
				t.Fatalf("sender %d: item %d after %d", g, i, next[g])
			}
			next[g]++
		}
		n += len(batch)
		if len(batch) == 0 {
			time.Sleep(50 * time.Microsecond)
		}
	}
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
	if s.Status() != rt.StatusOK {
		t.Fatalf("ended with %d %q", s.Status(), s.End())
	}
	s.Cancel()
}

// fillDefault starts a stream with the default buffer whose handler sends
// items made by item(i) until Send fails, and returns the first batch once
// the buffer is full (Send waits: nothing more is sent for 5 ms).
func fillDefault[T any](t *testing.T, enc func([]byte, *T) []byte, item func(int) T) (batch []byte, sent int) {
	t.Helper()
	var count atomic.Int64
	s := fakerust.NewStream()
	streamExport(s.Ptr(), nil, 0, nil, enc, func(ctx context.Context, out *rt.Sink[T]) error {
		for i := 0; ; i++ {
			if err := out.Send(item(i)); err != nil {
				return err
			}
			count.Add(1)
		}
	})
	defer s.Free()
	for last := int64(-1); ; {
		time.Sleep(5 * time.Millisecond)
		n := count.Load()
		if n == last {
			break
		}
		last = n
		if n > 1<<20 {
			t.Fatalf("%d items sent without a pull: the default buffer is unbounded", n)
		}
	}
	sent = int(count.Load())
	batch = s.Pull()
	s.Cancel()
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
	return batch, sent
}

func TestStreamDefaultBufferBoundsItemsAndBytes(t *testing.T) {
	// 4-byte items: the item count binds.
	batch, sent := fillDefault(t, rt.AppendScalar[uint32], func(i int) uint32 { return uint32(i) })
	if sent != rt.DefaultSinkItems || len(batch) != 4*rt.DefaultSinkItems {
		t.Fatalf("%d items sent, a batch of %d bytes; want %d items of 4 bytes",
			sent, len(batch), rt.DefaultSinkItems)
	}
	for i, v := range items(batch) {
		if v != uint32(i) {
			t.Fatalf("item %d is %d", i, v)
		}
	}
	// 1,008-byte items (a length and 1,000 bytes): the bytes bind. Send
	// waits once 64 KiB are buffered, so the last item may pass the bound:
	// 65 items are 65,520 bytes, the 66th makes 66,528.
	kib := make([]byte, 1000)
	batch, sent = fillDefault(t, rt.AppendScalars[byte], func(int) []byte { return kib })
	if sent != 66 || len(batch) != 66*1008 {
		t.Fatalf("%d items sent, a batch of %d bytes; want 66 items of 1,008 bytes", sent, len(batch))
	}
}

func TestSendThatPanicsWhileEncodingChangesNothing(t *testing.T) {
	// An encoder that panics on 2, like one meeting a nil data enum, after
	// appending part of the item.
	enc := func(b []byte, v *uint32) []byte {
		if *v == 2 {
			b = append(b, 0xff)
			panic("cannot encode 2")
		}
		return rt.AppendScalar(b, v)
	}
	recovered := make(chan any, 1)
	s := fakerust.NewStream()
	streamExport(s.Ptr(), nil, 8, nil, enc, func(ctx context.Context, out *rt.Sink[uint32]) error {
		for i := range uint32(4) {
			func() {
				defer func() {
					if r := recover(); r != nil {
						recovered <- r
					}
				}()
				if err := out.Send(i); err != nil {
					panic(err)
				}
			}()
		}
		return nil
	})
	defer s.Free()
	waitFor(t, "the completion", func() bool { return s.Completes() == 1 })
	if r := <-recovered; r != "cannot encode 2" {
		t.Fatalf("recovered %v, want the encoder's panic", r)
	}
	// The lock was released (Send 3 went on) and no byte of 2 remains.
	if got := items(s.Pull()); fmt.Sprint(got) != "[0 1 3]" {
		t.Fatalf("batch %v, want [0 1 3]", got)
	}
	if s.Status() != rt.StatusOK {
		t.Fatalf("ended with status %d, want OK", s.Status())
	}
}

// BenchmarkStreamSend is the Go side of a stream of small items: a handler
// sends b.N uint64 items into the default buffer while this goroutine pulls
// batches, as Rust does. Its allocs/op are per item.
func BenchmarkStreamSend(b *testing.B) {
	s := fakerust.NewStream()
	defer s.Free()
	n := uint64(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	streamExport(s.Ptr(), nil, 0, nil, rt.AppendScalar[uint64], func(ctx context.Context, out *rt.Sink[uint64]) error {
		for i := range n {
			if err := out.Send(i); err != nil {
				return err
			}
		}
		return nil
	})
	var got uint64
	for got < n {
		batch := s.Pull()
		for ; len(batch) >= 8; batch = batch[8:] {
			if v := binary.NativeEndian.Uint64(batch); v != got {
				b.Fatalf("item %d is %d", got, v)
			}
			got++
		}
		if len(batch) != 0 {
			b.Fatalf("a batch ends with %d bytes of an item", len(batch))
		}
		if got < n {
			runtime.Gosched()
		}
	}
	b.StopTimer()
	for deadline := time.Now().Add(time.Minute); s.Completes() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the stream did not complete within a minute")
		}
	}
}
