package rt

// #include <stdint.h>
import "C"

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"r2go.dev/r2go/rt/abi"
)

// closed is set in a gate's count once shutdown has begun; the bits below
// it count the calls in flight.
const closed = 1 << 62

// gate admits calls until it is shut down, and counts those in flight.
type gate struct {
	count atomic.Int64
	// drained is closed when the gate is closed and no admitted call is left:
	// every waiting shutdown sees it at once.
	drained chan struct{}
	once    sync.Once
}

func newGate() *gate { return &gate{drained: make(chan struct{})} }

func (g *gate) enter() bool {
	if g.count.Add(1)&closed == 0 {
		return true
	}
	g.exit()
	return false
}

func (g *gate) exit() {
	if g.count.Add(-1) == closed {
		g.signalDrained()
	}
}

func (g *gate) signalDrained() { g.once.Do(func() { close(g.drained) }) }

func (g *gate) inFlight() int64 { return g.count.Load() &^ closed }

// close stops admitting calls. Once closed, the count of admitted calls only
// falls, so drained is final when it comes.
func (g *gate) close() {
	if g.count.Or(closed)&^closed == 0 {
		g.signalDrained()
	}
}

// shutdown closes the gate and waits for the calls in flight; when ctx ends
// first it calls onDeadline and returns how many were still in flight. Any
// number of shutdowns may wait at once; all return when the drain ends.
func (g *gate) shutdown(ctx context.Context, onDeadline func()) int64 {
	g.close()
	select {
	case <-g.drained:
		return 0
	case <-ctx.Done():
	}
	select {
	case <-g.drained: // both were ready: the drain counts
		return 0
	default:
	}
	n := g.inFlight()
	if n > 0 {
		onDeadline()
	}
	return n
}

var (
	// calls admits and counts calls: sync calls until their export returns,
	// async calls until their handler's goroutine ends.
	calls = newGate()
	// goroutines counts the goroutines running (or waiting to run) async
	// handlers.
	goroutines atomic.Int64
	// placesTaken counts the places taken in every Limiter.
	placesTaken atomic.Int64
)

// Enter admits a call, before anything else in a generated export. After
// Shutdown it completes the slot with StatusShutdown and returns false; the
// export must then return at once. An admitted call must defer Leave.
func Enter(slot unsafe.Pointer) bool {
	if calls.enter() {
		return true
	}
	completeText(slot, StatusShutdown, "r2go: the Go side is shut down and accepts no calls")
	return false
}

func exit() { calls.exit() }

// Shutdown stops admitting calls and waits until every call in flight has
// finished, or until ctx is done. Calls made after it began complete at once
// with StatusShutdown: Rust returns Err for methods returning Result and
// panics for the others. When ctx ends first, the contexts of the async
// handlers still running are cancelled and Shutdown returns an error saying
// how many calls were still in flight; they still complete normally when
// their handlers return. Shutdown cannot be undone. Any number of Shutdowns
// (here or from Rust) may wait at once: all return when the calls have
// drained, and a later one returns at once.
//
// Called from inside a handler, Shutdown would wait for its own caller: it
// stops admitting calls and returns an error at once instead. A goroutine the
// handler started (and does not wait for) may call it and wait.
func Shutdown(ctx context.Context) error {
	closeStreams()
	if insideHandler() {
		calls.close()
		return fmt.Errorf("r2go: Shutdown was called from inside a handler and did not wait, since the handler's own call would never finish first: the Go side accepts no new calls; calls in flight, this one included: %d", calls.inFlight())
	}
	if n := calls.shutdown(ctx, cancelAll); n > 0 {
		return fmt.Errorf("r2go: shutdown: %d calls still in flight when the deadline passed; their contexts are cancelled", n)
	}
	return nil
}

// invokeFunc and streamFunc are the names of the functions that call async
// and stream handlers.
var (
	invokeFunc = runtime.FuncForPC(reflect.ValueOf((*job).invoke).Pointer()).Name()
	streamFunc = runtime.FuncForPC(reflect.ValueOf((*stream).invoke).Pointer()).Name()
)

// insideHandler reports whether the calling goroutine runs a handler: an
// async one (called by job.invoke), a stream's (stream.invoke) or a sync one (called by a generated
// export, named after its C symbol, on a thread that came from Rust).
func insideHandler() bool {
	exportPrefix := abi.SymbolPrefix()
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		name := f.Function[strings.LastIndexByte(f.Function, '.')+1:]
		if f.Function == invokeFunc || f.Function == streamFunc || strings.HasPrefix(name, exportPrefix) {
			return true
		}
		if !more {
			return false
		}
	}
}

// cancelAll cancels the context of every running async handler: those made
// now, and (through cancelledAll) those made later.
func cancelAll() {
	cancelledAll.Store(true)
	servedCalls.Range(func(k, _ any) bool {
		k.(*servedCall).cancel()
		return true
	})
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

//export r2go1_rt_set_max_depth
func r2go1_rt_set_max_depth(levels int64) {
	maxDepth.Store(min(max(levels, 1), abi.MaxMaxDepth))
}

// Stats are counters that tests use to prove calls leave nothing behind.
type Stats struct {
	Calls             int64 // calls in flight
	HandlerGoroutines int64 // goroutines running or waiting to run async handlers
	Goroutines        int64 // every goroutine of the Go runtime
	CancelEntries     int64 // entries of the registry of cancel functions: running async calls whose handler looked at its context
	LimiterPlaces     int64 // places taken in every MaxConcurrent limiter
	RustCalls         int64 // calls from Go to Rust that have not ended (not reported to Rust)
}

// ReadStats returns the current counters.
func ReadStats() Stats {
	return Stats{
		Calls:             calls.inFlight(),
		HandlerGoroutines: goroutines.Load(),
		Goroutines:        int64(runtime.NumGoroutine()),
		CancelEntries:     cancelEntries(),
		LimiterPlaces:     placesTaken.Load(),
		RustCalls:         callsToRust.Load(),
	}
}

//export r2go1_rt_stats
func r2go1_rt_stats(out *C.int64_t) {
	s := ReadStats()
	o := unsafe.Slice((*int64)(unsafe.Pointer(out)), abi.StatCount)
	o[abi.StatCalls] = s.Calls
	o[abi.StatHandlerGoroutines] = s.HandlerGoroutines
	o[abi.StatGoroutines] = s.Goroutines
	o[abi.StatCancelEntries] = s.CancelEntries
	o[abi.StatLimiterPlaces] = s.LimiterPlaces
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
		placesTaken.Add(1)
		return true
	default:
	}
	select {
	case l.places <- struct{}{}:
		placesTaken.Add(1)
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *Limiter) release() {
	if l != nil {
		placesTaken.Add(-1)
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
