package rt

/*
#include <stddef.h>
#include <stdint.h>

// The head of a Rust stream slot. It starts like r2go_slot, so Enter, Leave
// and complete treat it as one: complete delivers the stream's end, once.
// Rust sets the first, third and fourth fields; Go sets cancel and pull
// during the call that starts the handler.
typedef struct r2go_stream r2go_stream;
struct r2go_stream {
	void (*complete)(r2go_stream *s, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *s);
	// Items are ready (or the stream ends): wake the consumer.
	void (*notify)(r2go_stream *s);
	// Called by Go during pull with the batch of encoded items, which Rust copies.
	void (*take)(r2go_stream *s, const uint8_t *data, size_t len);
	// Rust calls it when it needs items: Go calls take when it has some.
	void (*pull)(void *s);
};

static void r2go_stream_notify(void *s) {
	r2go_stream *st = s;
	st->notify(st);
}

static void r2go_stream_take(void *s, const uint8_t *data, size_t len) {
	r2go_stream *st = s;
	st->take(st, data, len);
}

extern void r2go1_rt_stream_pull(void *s);
extern void r2go1_rt_stream_cancel(void *s);

// Read by Go as plain variables, like r2go1_rt_cancel_fn.
void (*const r2go1_rt_stream_pull_fn)(void *s) = r2go1_rt_stream_pull;
void (*const r2go1_rt_stream_cancel_fn)(void *s) = r2go1_rt_stream_cancel;
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// How a stream moves items from a Go handler to Rust (ADR 0009). The
// handler's Send encodes each item into the stream's buffer, a Go byte slice
// holding no pointers; when Rust's consumer needs items it calls pull, which
// hands it every buffered item in one batch through the slot's take
// callback, and Rust copies them before pull returns. Go never keeps a Rust
// pointer: the slot is Go's counted reference to the Rust stream, released
// by completing it when the handler has returned.

// DefaultStreamBuffer is how many items a Source holds, unless StreamBuffer
// says otherwise.
const DefaultStreamBuffer = 64

// Unless StreamBuffer (or the method's buffer attribute) says otherwise, a
// Sink's Send waits while DefaultSinkBytes of encoded items, or
// DefaultSinkItems items, wait for Rust. Bounding bytes keeps large items
// few, and lets small ones move in batches large enough that the hand-offs
// between Go and Rust cost little per item (ADR 0009).
const (
	DefaultSinkBytes = 64 << 10
	DefaultSinkItems = 8192
)

// sendSpin is how long Send waits, yielding, for room before it parks.
const sendSpin = 20 * time.Microsecond

// maxSpare is the largest batch buffer a stream keeps for reuse: a full
// default buffer (DefaultSinkBytes and one item) fits.
const maxSpare = 4 * DefaultSinkBytes

// ErrStreamClosed is returned (wrapped, with the reason) by Send and by a
// Source's Next once Rust has dropped the stream or the call, once the Go
// side is shutting down, and after the handler has returned. The handler
// should then return.
var ErrStreamClosed = errors.New("r2go: the stream is closed")

var (
	errDropped  = fmt.Errorf("%w: Rust dropped it", ErrStreamClosed)
	errShutdown = fmt.Errorf("%w: the Go side is shutting down", ErrStreamClosed)
	errReturned = fmt.Errorf("%w: its handler has returned", ErrStreamClosed)
)

// StreamBuffer sets how many items each stream of the trait buffers in Go
// (n <= 0: the defaults, DefaultSinkBytes and DefaultSinkItems for a Sink,
// DefaultStreamBuffer for a Source). Send waits while n items are
// waiting for Rust, so a slow consumer bounds the memory a stream uses: at
// most n items in Go and one batch of at most n in Rust. A Source holds at
// most n items Rust sent and the handler has not read. A method's own
// #[r2go(buffer = n)] in user.rs wins over this option.
func StreamBuffer(n int) RegisterOption {
	return func(c *registerConfig) { c.streamBuffer = n }
}

// Sink is where a stream handler sends its items. Its methods may be called
// from several goroutines.
type Sink[T any] struct {
	s   *stream
	enc func([]byte, *T) []byte
	fn  func(T) error // a Sink made by SinkFunc
	// The item being encoded, under the stream's lock: encoding a pointer to
	// Send's parameter would move each item to the heap.
	item T
}

// SinkFunc returns a Sink whose Send calls send, without Rust: for Go tests
// of stream handlers (see package rttest), and for Go code that calls one.
func SinkFunc[T any](send func(T) error) *Sink[T] {
	return &Sink[T]{fn: send}
}

// Send encodes v for Rust. It waits while the stream's buffer is full, and
// returns an error wrapping ErrStreamClosed, without sending, once Rust has
// dropped the stream, the Go side is shutting down or the handler has
// returned.
func (o *Sink[T]) Send(v T) error {
	if o.fn != nil {
		return o.fn(v)
	}
	if err := o.s.reserve(); err != nil {
		return err
	}
	o.encode(v)
	o.s.added()
	return nil
}

// encode appends v to the stream's buffer, holding the stream's lock (taken
// by reserve). Encoding in place saves a copy and a pooled buffer per item;
// if it panics (a nil data enum, a value nested too deep), the buffer keeps
// its items, its depth is reset and the lock is released.
func (o *Sink[T]) encode(v T) {
	s := o.s
	encoded := false
	defer func() {
		if !encoded {
			var zero T
			o.item = zero
			binary.NativeEndian.PutUint64(s.buf, 0)
			s.mu.Unlock()
		}
	}()
	o.item = v
	s.buf = o.enc(s.buf, &o.item)
	var zero T
	o.item = zero // keeps nothing the handler sent alive
	encoded = true
}

// stream is the Go side of one stream.
type stream struct {
	slot     unsafe.Pointer
	ctx      context.Context
	cancel   context.CancelFunc
	max      int // items buffered before Send waits
	maxBytes int // or once buf is this long

	mu          sync.Mutex
	buf         []byte        // a Buffer: its header, then the encoded items Rust has not taken
	n           int           // how many
	spare       []byte        // the previous batch's buffer, for reuse, or nil
	space       chan struct{} // closed when pull makes room; nil when no Send waits
	rustWaiting bool          // Rust found no item: notify it when one comes
	closed      error         // non-nil: Send fails with it

	shut atomic.Bool // closed by shutdown: set before the context is cancelled

	// Held for reading while Send notifies Rust, so that the end of the
	// handler can wait for notifications in progress: Go's reference to the
	// slot must outlive them.
	notifying sync.RWMutex
}

// streams maps the slot of every stream Rust has not dropped to its stream.
var streams sync.Map

// running counts the stream handlers running: with more than a couple, a
// Send waiting for room has others to make way for, and does not spin.
var running atomic.Int64

// Stream starts a stream handler on a goroutine: the export of a stream
// method calls it last, after Enter admitted the call (the admission passes
// to the goroutine, see Go and LeaveStarted), with the trait's limiter and
// buffer size, the method's error encoder, the item encoder and the handler.
// The slot is Go's counted reference to the Rust stream; Go releases it by
// completing it with the end of the stream: the handler's nil (StatusOK),
// error, panic, or StatusShutdown when it was ended by shutdown.
func Stream[T any](slot unsafe.Pointer, lim *Limiter, buffer int, matchErr ErrorEncoder,
	enc func([]byte, *T) []byte, handler func(context.Context, *Sink[T]) error) {
	maxBytes := math.MaxInt
	if buffer <= 0 {
		buffer, maxBytes = DefaultSinkItems, header+DefaultSinkBytes
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stream{slot: slot, ctx: ctx, cancel: cancel, max: buffer, maxBytes: maxBytes,
		buf: make([]byte, header, 256)}
	streams.Store(slot, s)
	// Written before this export returns to Rust, which reads them only later.
	h := (*C.r2go_stream)(slot)
	h.cancel = C.r2go1_rt_stream_cancel_fn
	h.pull = C.r2go1_rt_stream_pull_fn
	if calls.count.Load()&closed != 0 {
		// Shutdown began after Enter admitted this call and may have missed
		// it in closeStreams.
		s.close(errShutdown, true)
	}
	goroutines.Add(1) // the admission of the export's Enter passes to it
	running.Add(1)
	sink := &Sink[T]{s: s, enc: enc}
	go s.run(lim, matchErr, func(ctx context.Context) error { return handler(ctx, sink) })
}

// run runs the handler and completes the slot with how it ended, also when
// the handler calls runtime.Goexit.
func (s *stream) run(lim *Limiter, matchErr ErrorEncoder, handler func(context.Context) error) {
	defer goroutines.Add(-1)
	defer running.Add(-1)
	defer exit()
	var status uint32 = StatusPanic
	var buf []byte
	defer func() {
		if buf == nil {
			buf = append(Buffer(), "the handler called runtime.Goexit"...)
		}
		s.finish()
		complete(s.slot, status, buf)
		recycle(buf)
	}()
	if !lim.acquire(s.ctx) {
		status, buf = StatusShutdown, append(Buffer(), "the stream was closed while it waited for a free handler"...)
		return
	}
	defer lim.release()
	status, buf = s.invoke(handler, matchErr)
}

func (s *stream) invoke(handler func(context.Context) error, matchErr ErrorEncoder) (status uint32, buf []byte) {
	returned := false
	defer func() {
		// A flag, not recover() == nil, tells a panic with nil (under
		// GODEBUG=panicnil=1) from a return. After runtime.Goexit this
		// goroutine never gets back to run, whose deferred call reports it.
		if r := recover(); r != nil || !returned {
			status, buf = panicStatus(r), append(Buffer(), endedWith(r, true)...)
		}
	}()
	err := handler(s.ctx)
	returned = true
	switch {
	case err == nil:
		return StatusOK, Buffer()
	case s.shut.Load():
		return StatusShutdown, append(Buffer(), "the Go side shut down while the stream was open"...)
	}
	buf, status = encodeError(Buffer(), err, matchErr)
	return status, buf
}

// reserve waits for room for one item and returns holding s.mu, or returns
// the error Send fails with, without the lock.
func (s *stream) reserve() error {
	s.mu.Lock()
	if s.closed == nil && s.full() && canSpin && running.Load() <= spinMaxInFlight {
		// Rust usually takes the batch within microseconds; a goroutine
		// parked on a full buffer would then wait for a thread's wake-up,
		// which costs more (ADR 0006, ADR 0009).
		deadline := time.Now().Add(sendSpin)
		for i := 0; s.closed == nil && s.full(); i++ {
			s.mu.Unlock()
			runtime.Gosched()
			if i%16 == 15 && time.Now().After(deadline) {
				s.mu.Lock()
				break
			}
			s.mu.Lock()
		}
	}
	for s.closed == nil && s.full() {
		if s.space == nil {
			s.space = make(chan struct{})
		}
		space := s.space
		s.mu.Unlock()
		select {
		case <-space:
		case <-s.ctx.Done():
		}
		s.mu.Lock()
	}
	if err := s.closed; err != nil {
		s.mu.Unlock()
		return err
	}
	return nil
}

// full tells whether Send must wait for Rust to take the buffered items.
func (s *stream) full() bool {
	return s.n >= s.max || len(s.buf) >= s.maxBytes
}

// added counts the item just encoded into s.buf, releases s.mu, and
// notifies Rust if it waits for items.
func (s *stream) added() {
	s.n++
	notify := s.rustWaiting
	s.rustWaiting = false
	if notify {
		s.notifying.RLock()
	}
	s.mu.Unlock()
	if notify {
		C.r2go_stream_notify(s.slot)
		s.notifying.RUnlock()
	}
}

// pull hands Rust every buffered item, or records that Rust waits for one.
func (s *stream) pull() {
	s.mu.Lock()
	if s.n == 0 {
		// After the handler returned no item comes; Rust learns the end
		// from the slot's completion.
		s.rustWaiting = s.closed == nil
		s.mu.Unlock()
		return
	}
	batch := s.buf
	s.buf, s.spare, s.n = s.spare, nil, 0
	if s.buf == nil {
		s.buf = make([]byte, header, 2*len(batch))
	}
	if s.space != nil {
		close(s.space)
		s.space = nil
	}
	s.mu.Unlock()
	items := batch[header:] // the depth of the encoders, which Rust never sees
	C.r2go_stream_take(s.slot, (*C.uint8_t)(unsafe.Pointer(&items[0])), C.size_t(len(items)))
	if cap(batch) <= maxSpare {
		// Rust pulls one batch at a time and never after it dropped the
		// stream, so the spare is free.
		s.mu.Lock()
		s.spare = batch[:header]
		s.mu.Unlock()
	}
}

// close makes Send fail with err from now on and cancels the handler's
// context; dropped also frees what is buffered.
func (s *stream) close(err error, shut bool) {
	if shut {
		s.shut.Store(true) // before the handler can see its context end
	}
	// Cancelled first: a Send that fails with err finds the context done.
	s.cancel()
	s.mu.Lock()
	if s.closed == nil {
		s.closed = err
	}
	if err == errDropped {
		s.buf, s.spare, s.n, s.rustWaiting = make([]byte, header), nil, 0, false
	}
	if s.space != nil {
		close(s.space)
		s.space = nil
	}
	s.mu.Unlock()
}

// finish ends sending when the handler has returned, and waits for the
// notifications in progress, before Go completes (and so releases) the slot.
func (s *stream) finish() {
	s.cancel()
	s.mu.Lock()
	if s.closed == nil {
		s.closed = errReturned
	}
	if s.space != nil {
		close(s.space)
		s.space = nil
	}
	s.mu.Unlock()
	// No Send starts notifying once closed is set: wait for those that did.
	s.notifying.Lock()
	s.notifying.Unlock()
}

// closeStreams closes the gate, so that no stream starts afterwards, and ends
// every open stream: Send fails and the handlers' contexts are cancelled.
// Shutdown calls it before it waits for the calls in flight, since a stream
// may never end by itself.
func closeStreams() {
	calls.count.Or(closed)
	closeSources()
	closeServed(errShutdown)
	streams.Range(func(_, v any) bool {
		v.(*stream).close(errShutdown, true)
		return true
	})
}

// pullStream is called by Rust, through the slot, when its consumer needs items.
func pullStream(slot unsafe.Pointer) {
	if v, ok := streams.Load(slot); ok {
		v.(*stream).pull()
	}
}

// dropStream is called by Rust, through the slot, when it drops the stream:
// the handler's context is cancelled, Send fails, and the buffered items are
// freed. Rust still holds the slot, so its address is not reused meanwhile.
func dropStream(slot unsafe.Pointer) {
	if v, ok := streams.LoadAndDelete(slot); ok {
		v.(*stream).close(errDropped, false)
	}
}

// OpenStreams is how many streams Rust has not dropped yet.
func OpenStreams() int {
	n := 0
	streams.Range(func(_, _ any) bool { n++; return true })
	return n
}
