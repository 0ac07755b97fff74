package rt

/*
#include <stdint.h>

typedef struct {
	int64_t calls;
	int64_t handler_goroutines;
	int64_t goroutines;
} r2go_stats;
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// closed is set in a gate's count once shutdown has begun; the bits below
// it count the calls in flight.
const closed = 1 << 62

// gate admits calls until it is shut down, and counts those in flight.
type gate struct {
	count atomic.Int64
	// drained receives a token when the last call finishes after shutdown
	// began.
	drained chan struct{}
}

func newGate() *gate { return &gate{drained: make(chan struct{}, 1)} }

func (g *gate) enter() bool {
	if g.count.Add(1)&closed == 0 {
		return true
	}
	g.exit()
	return false
}

func (g *gate) exit() {
	if g.count.Add(-1) == closed {
		select {
		case g.drained <- struct{}{}:
		default: // a token is already waiting
		}
	}
}

func (g *gate) inFlight() int64 { return g.count.Load() &^ closed }

// shutdown closes the gate and waits for the calls in flight; when ctx ends
// first it calls onDeadline and returns how many were still in flight.
func (g *gate) shutdown(ctx context.Context, onDeadline func()) int64 {
	g.count.Or(closed)
	for {
		if g.inFlight() == 0 {
			return 0
		}
		select {
		case <-g.drained:
		case <-ctx.Done():
			n := g.inFlight()
			if n > 0 {
				onDeadline()
			}
			return n
		}
	}
}

var (
	// calls admits and counts calls: sync calls until their export returns,
	// async calls until their handler's goroutine ends.
	calls = newGate()
	// goroutines counts the goroutines running (or waiting to run) async
	// handlers.
	goroutines atomic.Int64
)

// Enter admits a call, before anything else in a generated export. After
// Shutdown it completes the slot with StatusShutdown and returns false; the
// export must then return at once. An admitted call must defer Leave.
func Enter(slot unsafe.Pointer) bool {
	if calls.enter() {
		return true
	}
	b := append(Buffer(), "r2go: the Go side is shut down and accepts no calls"...)
	complete(slot, StatusShutdown, b)
	recycle(b)
	return false
}

func exit() { calls.exit() }

// Shutdown stops admitting calls and waits until every call in flight has
// finished, or until ctx is done. Calls made after it began complete at once
// with StatusShutdown: Rust returns Err for methods returning Result and
// panics for the others. When ctx ends first, the contexts of the async
// handlers still running are cancelled and Shutdown returns an error saying
// how many calls were still in flight; they still complete normally when
// their handlers return. Shutdown cannot be undone; calling it again waits
// again.
func Shutdown(ctx context.Context) error {
	closeStreams()
	if n := calls.shutdown(ctx, cancelAll); n > 0 {
		return fmt.Errorf("r2go: shutdown: %d calls still in flight when the deadline passed; their contexts are cancelled", n)
	}
	return nil
}

// cancelAll cancels the context of every running async handler.
func cancelAll() {
	cancels.Range(func(_, c any) bool {
		c.(context.CancelFunc)()
		return true
	})
}

//export r2go1_rt_shutdown
func r2go1_rt_shutdown(timeoutNanos int64) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(timeoutNanos))
	defer cancel()
	closeStreams()
	return calls.shutdown(ctx, cancelAll)
}

// Stats are counters that tests use to prove calls leave nothing behind.
type Stats struct {
	Calls             int64 // calls in flight
	HandlerGoroutines int64 // goroutines running or waiting to run async handlers
	Goroutines        int64 // every goroutine of the Go runtime
}

// ReadStats returns the current counters.
func ReadStats() Stats {
	return Stats{
		Calls:             calls.inFlight(),
		HandlerGoroutines: goroutines.Load(),
		Goroutines:        int64(runtime.NumGoroutine()),
	}
}

//export r2go1_rt_stats
func r2go1_rt_stats(out *C.r2go_stats) {
	s := ReadStats()
	out.calls = C.int64_t(s.Calls)
	out.handler_goroutines = C.int64_t(s.HandlerGoroutines)
	out.goroutines = C.int64_t(s.Goroutines)
}

// Limiter bounds how many async handlers of one trait run at once. A nil
// *Limiter bounds nothing.
type Limiter struct {
	places chan struct{}
}

func (l *Limiter) acquire(ctx context.Context) bool {
	if l == nil {
		return true
	}
	select {
	case l.places <- struct{}{}:
		return true
	default:
	}
	select {
	case l.places <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *Limiter) release() {
	if l != nil {
		<-l.places
	}
}

// RegisterOption configures a registered implementation.
type RegisterOption func(*registerConfig)

type registerConfig struct {
	maxConcurrent int
	streamBuffer  int
}

// MaxConcurrent bounds how many async handlers of the trait run at once to
// n (n <= 0: no bound, the default). Further calls wait for a free place, in
// Go, without blocking Rust: they are not dropped, and a call whose future is
// dropped while it waits never runs. Sync handlers run on the calling Rust
// thread and are not counted.
func MaxConcurrent(n int) RegisterOption {
	return func(c *registerConfig) { c.maxConcurrent = n }
}

// Registration is a registered implementation of a trait with its options.
type Registration[T any] struct {
	Impl  T
	Limit *Limiter // nil: no bound
	// StreamBuffer is how many items each stream buffers (StreamBuffer);
	// 0: DefaultStreamBuffer.
	StreamBuffer int
}

// NewRegistration applies opts to impl.
func NewRegistration[T any](impl T, opts []RegisterOption) *Registration[T] {
	var c registerConfig
	for _, o := range opts {
		o(&c)
	}
	r := &Registration[T]{Impl: impl, StreamBuffer: c.streamBuffer}
	if c.maxConcurrent > 0 {
		r.Limit = &Limiter{places: make(chan struct{}, c.maxConcurrent)}
	}
	return r
}
