// Package rttest helps Go unit tests of stream handlers run without Rust:
// a Sink that records what a handler sends and can act as a consumer that
// went away, and Sources fed from a slice.
package rttest

import (
	"context"
	"fmt"
	"sync"

	"r2go.dev/r2go/rt"
)

// Sink records the items a stream handler sends. Its methods may be called
// from several goroutines.
type Sink[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	items     []T
	dropAfter int // -1: never
}

// NewSink returns a Sink that accepts every item, and whose context (Ctx)
// ends when the test does or when the consumer is dropped (DropAfter).
func NewSink[T any](ctx context.Context) *Sink[T] {
	ctx, cancel := context.WithCancel(ctx)
	return &Sink[T]{ctx: ctx, cancel: cancel, dropAfter: -1}
}

// Ctx is the context to pass to the handler: cancelled once the consumer
// is dropped, as Rust's drop of the stream cancels it.
func (s *Sink[T]) Ctx() context.Context { return s.ctx }

// Out is the sink to pass to the handler.
func (s *Sink[T]) Out() *rt.Sink[T] { return rt.SinkFunc(s.send) }

// DropAfter makes the consumer go away once it has n items (at once when
// it has them already): Ctx is cancelled, and Send fails with an error
// wrapping rt.ErrStreamClosed, as when Rust drops the stream.
func (s *Sink[T]) DropAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAfter = n
	if len(s.items) >= n {
		s.cancel()
	}
}

// Items returns a copy of the items sent so far, in order.
func (s *Sink[T]) Items() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]T(nil), s.items...)
}

func (s *Sink[T]) send(v T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropAfter >= 0 && len(s.items) >= s.dropAfter {
		s.cancel()
		return fmt.Errorf("%w: the test dropped it", rt.ErrStreamClosed)
	}
	s.items = append(s.items, v)
	if len(s.items) == s.dropAfter {
		s.cancel()
	}
	return nil
}

// Source returns a Source that yields items, then ends (Next returns false
// and a nil error), as a Rust stream that ends.
func Source[T any](items ...T) *rt.Source[T] { return rt.SourceOf(items, nil) }

// FailingSource returns a Source that yields items, then fails with err,
// as a Rust stream whose last item is an Err (rt.ErrSourceFailed) or one
// whose call Rust dropped (rt.ErrStreamClosed).
func FailingSource[T any](err error, items ...T) *rt.Source[T] { return rt.SourceOf(items, err) }
