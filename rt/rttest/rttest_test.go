package rttest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/rttest"
)

// count sends 0..n-1, as a stream handler does.
func count(ctx context.Context, n int, out *rt.Sink[int]) error {
	for i := range n {
		if err := out.Send(i); err != nil {
			if ctx.Err() == nil {
				return fmt.Errorf("send failed with a live context: %w", err)
			}
			return err
		}
	}
	return nil
}

func TestSinkCollectsItemsInOrder(t *testing.T) {
	sink := rttest.NewSink[int](t.Context())
	if err := count(sink.Ctx(), 5, sink.Out()); err != nil {
		t.Fatal(err)
	}
	if got, want := sink.Items(), []int{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("Items() = %v, want %v", got, want)
	}
	if sink.Ctx().Err() != nil {
		t.Error("the context ended without a drop")
	}
}

func TestSinkDropAfterFailsSendAndCancels(t *testing.T) {
	sink := rttest.NewSink[int](t.Context())
	sink.DropAfter(2)
	err := count(sink.Ctx(), 5, sink.Out())
	if !errors.Is(err, rt.ErrStreamClosed) {
		t.Fatalf("count returned %v, want an error wrapping rt.ErrStreamClosed", err)
	}
	if got, want := sink.Items(), []int{0, 1}; !slices.Equal(got, want) {
		t.Errorf("Items() = %v, want %v", got, want)
	}
	if !errors.Is(sink.Ctx().Err(), context.Canceled) {
		t.Errorf("Ctx().Err() = %v, want context.Canceled", sink.Ctx().Err())
	}
}

func TestSinkDropAfterZero(t *testing.T) {
	sink := rttest.NewSink[int](t.Context())
	sink.DropAfter(0)
	if sink.Ctx().Err() == nil {
		t.Error("a consumer dropped before any item left the context alive")
	}
	if err := count(sink.Ctx(), 1, sink.Out()); !errors.Is(err, rt.ErrStreamClosed) {
		t.Errorf("count returned %v", err)
	}
	if got := sink.Items(); len(got) != 0 {
		t.Errorf("Items() = %v, want none", got)
	}
}

// sum reads a source, as an upload handler does.
func sum(ctx context.Context, items *rt.Source[int]) (int, error) {
	total := 0
	for v, err := range items.All(ctx) {
		if err != nil {
			return total, err
		}
		total += v
	}
	return total, nil
}

func TestSourceYieldsItemsThenEnds(t *testing.T) {
	src := rttest.Source(1, 2, 3)
	if got, err := sum(t.Context(), src); got != 6 || err != nil {
		t.Errorf("sum = %d, %v; want 6, nil", got, err)
	}
	// After the end, Next keeps reporting it.
	if v, ok, err := src.Next(t.Context()); v != 0 || ok || err != nil {
		t.Errorf("Next after the end = %d, %v, %v", v, ok, err)
	}
}

func TestFailingSourceEndsWithTheError(t *testing.T) {
	boom := fmt.Errorf("%w: bad row", rt.ErrSourceFailed)
	got, err := sum(t.Context(), rttest.FailingSource(boom, 4, 5))
	if got != 9 || err != boom {
		t.Errorf("sum = %d, %v; want 9, %v", got, err, boom)
	}
}

func TestSourceStopsAtACancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// Items already there are returned; the context matters only for waits.
	v, ok, err := rttest.Source(7).Next(ctx)
	if v != 7 || !ok || err != nil {
		t.Errorf("Next = %d, %v, %v; want 7, true, nil", v, ok, err)
	}
}
