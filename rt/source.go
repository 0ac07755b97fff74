package rt

/*
#include <stddef.h>
#include <stdint.h>

// The head of the slot of an async call that takes a Rust stream. It starts
// like r2go_slot, so Enter, Leave, Go and complete treat it as one. Rust
// sets want; Go sets feed during the call that starts the handler. Its
// layout is abi.Upload*, asserted below.
typedef struct r2go_upload r2go_upload;
struct r2go_upload {
	void (*complete)(r2go_upload *s, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *s);
	size_t in_flight;
	// Go asks Rust for n more items.
	void (*want)(r2go_upload *s, size_t n);
	// Rust lends a batch of items (a ListRef) and says whether the input ended.
	void (*feed)(void *s, const void *list, uint32_t end, const uint8_t *msg, size_t len);
};

static void r2go_upload_want(void *s, size_t n) {
	r2go_upload *u = s;
	u->want(u, n);
}

extern void r2go1_rt_upload_feed(void *s, void *list, uint32_t end, uint8_t *msg, size_t len);

// Read by Go as a plain variable, like r2go1_rt_cancel_fn.
void (*const r2go1_rt_upload_feed_fn)(void *s, const void *list, uint32_t end, const uint8_t *msg, size_t len) =
	(void (*)(void *, const void *, uint32_t, const uint8_t *, size_t))r2go1_rt_upload_feed;
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"r2go.dev/r2go/rt/abi"
)

// How a Rust stream reaches a Go handler (ADR "streams from Rust to Go").
// The handler pulls: when its Source holds at most half its buffer (items
// received plus items asked for), Next asks Rust for enough items to fill
// it, through the slot's want. The Rust future of the call polls the user's
// stream only for that many items and lends them, in their borrowed layout,
// in one feed call; Go copies them before feed returns. Go never keeps a
// Rust pointer, and the slot is Go's counted reference to the call, released
// by its one completion after the handler has returned.

// Compile-time checks of the upload header against the contract.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_upload{}.want)-abi.UploadWantOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_upload{}.feed)-abi.UploadFeedOffset]
)

// How a feed ends (abi.Feed*).
const (
	feedMore  = abi.FeedMore
	feedEnd   = abi.FeedEnd
	feedError = abi.FeedError
)

// ErrSourceFailed is wrapped by the error Next returns when the Rust stream
// ended with an error item; the rest of the error is the item's text.
var ErrSourceFailed = errors.New("r2go: the Rust stream ended with an error")

// Source is where a handler reads the items of a Rust stream. Next and All
// may be called from any goroutine, one at a time or concurrently; each item
// is returned once. After the handler has returned, Next fails.
type Source[T any] struct {
	slot unsafe.Pointer // nil for a source made by SourceOf
	max  int
	read func(*ListRef) []T

	mu      sync.Mutex
	q       []T // received and not taken: q[head:]
	head    int
	asked   int           // items asked of Rust and not received
	ended   bool          // Rust sent the end: endErr (nil or the error item) follows the items
	endErr  error         //
	closed  error         // non-nil: Next fails with it, and the items are gone
	arrived chan struct{} // closed when items, the end or a close arrive; nil when no Next waits

	arrivals atomic.Uint64 // counts the wakes of arrived (items, the end, a close), for Next's spin

	// pull, when set, is where Next takes items instead (a served upload:
	// each call receives one message); pulled is the error that ended it.
	pull   func(ctx context.Context) (T, bool, error)
	pulled error

	// Held for reading while Next asks Rust for items, so that the end of
	// the handler can wait for the requests in progress: Go's reference to
	// the slot must outlive them.
	wanting sync.RWMutex
}

// sources maps the slot of every upload whose handler has not ended to its
// Source, for Rust's feed and for the drop of the call.
var sources sync.Map

// openSources counts the sources of running handlers: with more than a
// couple, a Next that waits has others to make way for, and does not spin.
var openSources atomic.Int64

// source is what the runtime does with a Source of any item type.
type source interface {
	feed(list unsafe.Pointer, end uint32, msg string)
	close(err error)
	end()
	shutDown() bool
}

// NewSource makes the Source of the upload slot: the export of an async
// method with a stream parameter calls it after Enter admitted the call and
// before GoUpload, with the buffer size (n <= 0: DefaultStreamBuffer) and
// the reader of a lent batch.
func NewSource[T any](slot unsafe.Pointer, buffer int, read func(*ListRef) []T) *Source[T] {
	if buffer <= 0 {
		buffer = DefaultStreamBuffer
	}
	s := &Source[T]{slot: slot, max: buffer, read: read}
	sources.Store(slot, source(s))
	openSources.Add(1)
	// Written before this export returns to Rust, which reads it only later.
	(*C.r2go_upload)(slot).feed = C.r2go1_rt_upload_feed_fn
	if calls.count.Load()&closed != 0 {
		// Shutdown began after Enter admitted this call and may have missed
		// it in closeStreams.
		s.close(errShutdown)
	}
	return s
}

// SourceOf returns a Source that yields items and then ends with end (nil:
// the stream ended; an error: Next returns it after the items), without
// Rust: for Go tests of handlers, and for Go code that calls a handler.
func SourceOf[T any](items []T, end error) *Source[T] {
	return &Source[T]{max: len(items), q: append([]T(nil), items...), ended: true, endErr: end}
}

// GoUpload is Go for a method with a stream parameter: it starts the handler
// like Go, and ends src when the handler has ended, before the call
// completes.
func GoUpload(slot unsafe.Pointer, lim *Limiter, matchErr ErrorEncoder, src source, handler Handler) {
	goCall(slot, lim, matchErr, handler, src)
}

// Next returns the next item (true), or the end of the stream (false) with
// a nil error when the Rust stream ended, or with an error: one wrapping
// ErrSourceFailed when the Rust stream ended with an error item, one
// wrapping ErrStreamClosed once Rust dropped the call, the Go side shuts
// down or the handler returned, or ctx's error when ctx ends first. It
// waits while no item has arrived.
func (s *Source[T]) Next(ctx context.Context) (T, bool, error) {
	if s.pull != nil {
		return s.pull(ctx)
	}
	var zero T
	s.mu.Lock()
	for {
		if s.closed != nil {
			err := s.closed
			s.mu.Unlock()
			return zero, false, err
		}
		if s.head < len(s.q) {
			v := s.q[s.head]
			s.q[s.head] = zero // the Source does not keep what it handed out
			s.head++
			if s.head == len(s.q) {
				s.q, s.head = s.q[:0], 0
			}
			n := s.ask()
			s.mu.Unlock()
			s.want(n)
			return v, true, nil
		}
		if s.ended {
			err := s.endErr
			s.mu.Unlock()
			return zero, false, err
		}
		n := s.ask()
		seen := s.arrivals.Load()
		s.mu.Unlock()
		s.want(n)
		s.spin(seen)
		s.mu.Lock()
		if s.arrivals.Load() != seen {
			continue
		}
		if s.arrived == nil {
			s.arrived = make(chan struct{})
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return zero, false, ctx.Err()
		}
		s.mu.Lock()
	}
}

// All returns the items as an iterator: it yields each item with a nil
// error, and a last zero item with the error Next returned, if any.
func (s *Source[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, ok, err := s.Next(ctx)
			if err != nil {
				yield(v, err)
				return
			}
			if !ok || !yield(v, nil) {
				return
			}
		}
	}
}

// spin waits, yielding, up to sendSpin for items, the end or a close, while
// few uploads run (arrivals moving past seen): Rust usually feeds the batch
// asked for within microseconds, and a goroutine parked on the channel would
// then wait for a thread's wake-up, which costs more (ADR 0006, ADR 0009).
func (s *Source[T]) spin(seen uint64) {
	if !canSpin || s.slot == nil || openSources.Load() > spinMaxInFlight {
		return
	}
	deadline := time.Now().Add(sendSpin)
	for i := 0; s.arrivals.Load() == seen; i++ {
		runtime.Gosched()
		if i%16 == 15 && time.Now().After(deadline) {
			return
		}
	}
}

// ask returns how many items to ask Rust for: enough to fill the buffer
// once what it holds and awaits is at most half of it. Called with mu held;
// a positive result holds wanting for reading until want.
func (s *Source[T]) ask() int {
	if s.slot == nil || s.ended || s.closed != nil {
		return 0
	}
	have := len(s.q) - s.head + s.asked
	if 2*have > s.max {
		return 0
	}
	n := s.max - have
	s.asked += n
	s.wanting.RLock()
	return n
}

// want asks Rust for n more items (none when n is 0).
func (s *Source[T]) want(n int) {
	if n > 0 {
		C.r2go_upload_want(s.slot, C.size_t(n))
		s.wanting.RUnlock()
	}
}

// feed copies a batch Rust lent and records how the input goes on.
func (s *Source[T]) feed(list unsafe.Pointer, end uint32, msg string) {
	var items []T
	if list != nil {
		items = s.read((*ListRef)(list))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed != nil {
		return
	}
	s.q = append(s.q, items...)
	s.asked = max(s.asked-len(items), 0)
	switch end {
	case feedEnd:
		s.ended = true
	case feedError:
		s.ended, s.endErr = true, fmt.Errorf("%w: %s", ErrSourceFailed, msg)
	}
	s.wake()
}

// wake wakes the Next that waits, if any. Called with mu held.
func (s *Source[T]) wake() {
	s.arrivals.Add(1)
	if s.arrived != nil {
		close(s.arrived)
		s.arrived = nil
	}
}

// close makes Next fail with err from now on and frees the received items.
func (s *Source[T]) close(err error) {
	s.mu.Lock()
	if s.closed == nil {
		s.closed = err
	}
	s.q, s.head, s.asked = nil, 0, 0
	s.wake()
	s.mu.Unlock()
}

// shutDown reports whether the source was closed by shutdown.
func (s *Source[T]) shutDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed == errShutdown
}

// end closes the source when its handler has ended, and waits for the
// requests in progress, before Go completes (and so releases) the slot.
func (s *Source[T]) end() {
	openSources.Add(-1)
	sources.Delete(s.slot)
	s.close(errReturned)
	// No Next starts asking once closed is set: wait for those that did.
	s.wanting.Lock()
	s.wanting.Unlock()
}

// feedUpload is called by Rust, through the slot, with a batch of items.
func feedUpload(slot, list unsafe.Pointer, end uint32, msg string) {
	if v, ok := sources.Load(slot); ok {
		v.(source).feed(list, end, msg)
	}
}

// dropUpload closes the source of a call Rust dropped: Next fails and the
// received items are freed.
func dropUpload(slot unsafe.Pointer) {
	if v, ok := sources.LoadAndDelete(slot); ok {
		v.(source).close(errDropped)
	}
}

// closeSources ends every open upload's source for shutdown.
func closeSources() {
	sources.Range(func(_, v any) bool {
		v.(source).close(errShutdown)
		return true
	})
}

// OpenSources is how many upload handlers have not ended yet.
func OpenSources() int {
	n := 0
	sources.Range(func(_, _ any) bool { n++; return true })
	return n
}
