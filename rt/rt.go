// Package rt is the Go runtime of r2go bridges. Generated code (gen.go) calls
// it; handlers do not need to.
//
// Memory: Rust lends its values to Go only for the duration of a call, as
// StrRef and ListRef descriptors pointing into Rust memory. The Read functions
// copy them into Go memory at once, so Go never keeps a Rust pointer. Results
// travel the other way as one flat byte buffer in Go memory, with no Go
// pointers inside, which Rust decodes into its own values before the
// completion call returns.
//
// The API of this package belongs to the generated code and changes with
// the ABI version; the ABI1 constant guards generated code against a
// mismatched runtime.
package rt

/*
#include <stddef.h>
#include <stdint.h>

// The head of every Rust call slot: Rust tells Go where to deliver the
// result; for async calls Go tells Rust how to cancel the handler, and Rust
// tells Go how many calls it has in flight. Its layout is abi.Slot*,
// asserted below.
typedef struct r2go_slot r2go_slot;
struct r2go_slot {
	void (*complete)(r2go_slot *slot, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *slot);
	size_t in_flight;
};

static void r2go_complete(void *slot, uint32_t status, const uint8_t *data, size_t len) {
	r2go_slot *s = slot;
	s->complete(s, status, data, len);
}

// Completes with a result of at most 16 bytes passed by value: no Go
// pointer crosses, so cgo has no pointer to check.
static void r2go_complete_small(void *slot, uint32_t status, uint64_t w0, uint64_t w1, size_t len) {
	uint64_t buf[2] = {w0, w1};
	r2go_slot *s = slot;
	s->complete(s, status, (const uint8_t *)buf, len);
}

extern void r2go1_rt_cancel(void *slot);

// Read by Go as a plain variable: offering cancellation costs no cgo call.
void (*const r2go1_rt_cancel_fn)(void *slot) = r2go1_rt_cancel;
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"r2go.dev/r2go/rt/abi"
)

// ABI1 is referenced by generated code: a gen.go that does not match this
// runtime's ABI fails to compile instead of misbehaving. Its name carries
// abi.Version (asserted below).
const ABI1 = true

// Compile-time checks of this runtime against the contract: the version in
// the names above, and the slot header's layout.
var (
	_ = [1]struct{}{}[abi.Version-1]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_slot{}.complete)-abi.SlotCompleteOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_slot{}.cancel)-abi.SlotCancelOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_slot{}.in_flight)-abi.SlotInFlightOffset]
	_ = [1]struct{}{}[unsafe.Sizeof(C.r2go_slot{})-abi.SlotHeaderSize]
)

// Completion statuses (see package abi).
const (
	StatusOK         = abi.StatusOK
	StatusPanic      = abi.StatusPanic
	StatusError      = abi.StatusError
	StatusErrorValue = abi.StatusErrorValue
	StatusShutdown   = abi.StatusShutdown
	StatusInvalid    = abi.StatusInvalid
)

// StrRef is a Rust &str lent for the duration of a call.
type StrRef struct {
	Ptr *byte
	Len uintptr
}

// ListRef is a Rust slice lent for the duration of a call: Len elements of
// the element's borrowed representation.
type ListRef struct {
	Ptr unsafe.Pointer
	Len uintptr
}

// Scalar is every type passed as raw memory: same size and encoding on both sides.
type Scalar interface {
	~bool | ~int8 | ~int16 | ~int32 | ~int64 | ~int |
		~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint | ~float32 | ~float64
}

// ReadString copies a lent Rust string into a Go string.
func ReadString(r *StrRef) string {
	if r.Len == 0 {
		return ""
	}
	return string(unsafe.Slice(r.Ptr, r.Len))
}

// ReadScalars copies a lent Rust slice of scalars into a new Go slice (nil
// when empty).
func ReadScalars[T Scalar](r *ListRef) []T {
	if r.Len == 0 {
		return nil
	}
	out := make([]T, r.Len)
	copy(out, unsafe.Slice((*T)(r.Ptr), r.Len))
	return out
}

// ReadList converts a lent Rust slice element by element with read (nil when
// empty).
func ReadList[R, T any](r *ListRef, read func(*R) T) []T {
	if r.Len == 0 {
		return nil
	}
	refs := unsafe.Slice((*R)(r.Ptr), r.Len)
	out := make([]T, len(refs))
	for i := range refs {
		out[i] = read(&refs[i])
	}
	return out
}

// AppendScalar appends *v in native byte order.
func AppendScalar[T Scalar](b []byte, v *T) []byte {
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))...)
}

// AppendLen appends a length or element count.
func AppendLen(b []byte, n int) []byte {
	return binary.NativeEndian.AppendUint64(b, uint64(n))
}

// AppendString appends a length-prefixed string.
func AppendString(b []byte, s *string) []byte {
	return append(AppendLen(b, len(*s)), *s...)
}

// AppendScalars appends a count and the raw elements.
func AppendScalars[T Scalar](b []byte, s *[]T) []byte {
	b = AppendLen(b, len(*s))
	if len(*s) == 0 {
		return b
	}
	var zero T
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&(*s)[0])), uintptr(len(*s))*unsafe.Sizeof(zero))...)
}

// AppendList appends a count and each element encoded by enc.
func AppendList[T any](b []byte, s *[]T, enc func([]byte, *T) []byte) []byte {
	b = AppendLen(b, len(*s))
	for i := range *s {
		b = enc(b, &(*s)[i])
	}
	return b
}

const maxPooled = 64 << 10

// header is the start of every result buffer, before the encoded result:
// the nesting depth of the value being encoded (see Nest). Rust never sees it.
const header = 8

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Buffer returns an empty buffer for encoding a result; Complete recycles it.
// Encode into it only with the Append functions and generated encoders: it
// starts with a header that Complete strips.
func Buffer() []byte {
	return startBuffer(*buffers.Get().(*[]byte))
}

// startBuffer makes an empty pooled buffer a Buffer: the header, zeroed.
func startBuffer(b []byte) []byte {
	b = b[:header]
	binary.NativeEndian.PutUint64(b, 0)
	return b
}

func recycle(b []byte) {
	if cap(b) <= maxPooled {
		b = b[:0]
		buffers.Put(&b)
	}
}

// complete hands the result in buf (a Buffer) to Rust. Rust copies it before
// returning, so buf is free again afterwards.
func complete(slot unsafe.Pointer, status uint32, buf []byte) {
	data := buf[header:]
	if len(data) <= 16 {
		// Most async results are a scalar or two.
		var words [16]byte
		copy(words[:], data)
		C.r2go_complete_small(slot, C.uint32_t(status),
			C.uint64_t(binary.NativeEndian.Uint64(words[:8])), C.uint64_t(binary.NativeEndian.Uint64(words[8:])),
			C.size_t(len(data)))
		return
	}
	var p *C.uint8_t
	if len(data) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&data[0]))
	}
	C.r2go_complete(slot, C.uint32_t(status), p, C.size_t(len(data)))
}

// completeText completes the slot with a message.
func completeText(slot unsafe.Pointer, status uint32, msg string) {
	b := append(Buffer(), msg...)
	complete(slot, status, b)
	recycle(b)
}

// Complete delivers an encoded result to the Rust slot and recycles buf.
// Each slot is completed exactly once.
func Complete(slot unsafe.Pointer, buf []byte) {
	complete(slot, StatusOK, buf)
	recycle(buf)
}

// ErrorEncoder appends err to buf as a method's declared error type, the E
// of its Result<T, E>; it reports false when err is not of that type.
// Generated code makes one per error type, with ErrorAs for structs and
// unit enums and ErrorAsSealed for data enums.
type ErrorEncoder func(buf []byte, err error) ([]byte, bool)

// ErrorAs returns the ErrorEncoder of the error struct T: it matches a T or
// a non-nil *T anywhere in err's chain (errors.As) and encodes it with enc.
// P is always *T and is inferred.
func ErrorAs[T error, P interface {
	*T
	error
}](enc func([]byte, *T) []byte) ErrorEncoder {
	return func(buf []byte, err error) ([]byte, bool) {
		var v T
		if errors.As(err, &v) {
			return enc(buf, &v), true
		}
		var p P
		if errors.As(err, &p) && p != nil {
			return enc(buf, (*T)(p)), true
		}
		return buf, false
	}
}

// ErrorAsSealed returns the ErrorEncoder of a data enum T, a sealed
// interface that embeds error: it matches any variant (or pointer to one)
// anywhere in err's chain and encodes it with enc.
func ErrorAsSealed[T error](enc func([]byte, *T) []byte) ErrorEncoder {
	return func(buf []byte, err error) ([]byte, bool) {
		var v T
		if errors.As(err, &v) {
			return enc(buf, &v), true
		}
		return buf, false
	}
}

// Fail completes the slot of a call whose handler returned a non-nil err:
// encoded as the method's error type when matchErr recognises it (matchErr
// may be nil), otherwise as err.Error().
func Fail(slot unsafe.Pointer, err error, matchErr ErrorEncoder) {
	buf, status := encodeError(Buffer(), err, matchErr)
	complete(slot, status, buf)
	recycle(buf)
}

// encodeError encodes err into buf, a Buffer with nothing encoded yet.
func encodeError(buf []byte, err error, matchErr ErrorEncoder) ([]byte, uint32) {
	if matchErr != nil {
		if b, ok := matchErr(buf, err); ok {
			return b, StatusErrorValue
		}
	}
	return append(buf, err.Error()...), StatusError
}

// Leave is deferred by every generated export after Enter admitted the
// call, with a flag the export sets when the handler has returned. A
// handler that did not return (a panic, including panic(nil) under
// GODEBUG=panicnil=1, or runtime.Goexit) completes the slot with what
// happened instead of killing the process or leaving Rust with no result:
// Rust then panics on the calling task, or returns Err for methods
// returning Result. A panic while encoding the result does the same. The
// call then stops counting as in flight.
func Leave(slot unsafe.Pointer, returned *bool) {
	if r := recover(); r != nil || !*returned {
		completeText(slot, panicStatus(r), endedWith(r, false))
	}
	exit()
}

// LeaveStarted is Leave for the export of an async or stream method, with a
// flag the export sets once Go, GoUpload or Stream has returned. From then on
// the call's admission belongs to the goroutine they started, which ends it
// when the handler has ended: the export leaves without counting the call
// out. Before that (a panic while the export reads its arguments) it does
// what Leave does.
func LeaveStarted(slot unsafe.Pointer, started *bool) {
	if r := recover(); r != nil || !*started {
		completeText(slot, panicStatus(r), endedWith(r, false))
		exit()
	}
}

// The messages of handlers that ended without returning and without a
// panic value recover can see.
const (
	endedSync   = "the handler did not return: it panicked with a nil value (GODEBUG=panicnil=1) or called runtime.Goexit"
	endedNil    = "the handler panicked with a nil value (GODEBUG=panicnil=1)"
	endedGoexit = "the handler called runtime.Goexit"
)

// endedWith is the message of a call that ended with the recovered value r;
// async tells whether nil means panic(nil) (the goroutine went on) or is
// still undecided.
func endedWith(r any, async bool) string {
	switch {
	case r != nil:
		return fmt.Sprint(r)
	case async:
		return endedNil
	}
	return endedSync
}

// panicStatus is the status of a call that ended with the recovered value r.
func panicStatus(r any) uint32 {
	if _, ok := r.(*depthError); ok {
		return StatusInvalid
	}
	return StatusPanic
}

// Handler is the body of an async call: it runs the user's handler with ctx,
// appends the encoded result to buf and returns it with the handler's error.
type Handler func(ctx context.Context, buf []byte) ([]byte, error)

// Go runs an async handler on a goroutine and completes the slot with
// what it returns, its error (see Fail), its panic, or the fact that it
// called runtime.Goexit. The slot is Go's counted reference to the Rust call
// (not borrowed data): Go releases it by completing it. Call it last in an
// export admitted by Enter that defers LeaveStarted: the admission passes to
// the handler's goroutine, and the call stays in flight (for Shutdown) until
// the handler has ended. Called without Enter, it would count a call out
// that was never counted in.
//
// The handler's context is cancelled when Rust drops the call's future
// before the result arrives, and when a Shutdown deadline passes; the handler
// should then return soon, and its result is discarded. With a Limiter, the
// handler waits for a free place first; a call whose context ends while it
// waits completes with StatusShutdown without running.
func Go(slot unsafe.Pointer, lim *Limiter, matchErr ErrorEncoder, handler Handler) {
	goCall(slot, lim, matchErr, handler, nil)
}

// goCall is Go, with the Source of a stream parameter when there is one.
func goCall(slot unsafe.Pointer, lim *Limiter, matchErr ErrorEncoder, handler Handler, src source) {
	j := &job{slot: slot, lim: lim, matchErr: matchErr, handler: handler, src: src}
	j.ctx.slot = slot
	// Stored only when it changes: one cache line shared by every call.
	if busy := (*C.r2go_slot)(slot).in_flight > spinMaxInFlight; rustBusy.Load() != busy {
		rustBusy.Store(busy)
	}
	if src != nil {
		// The source must close when Rust drops the call, whether or not
		// the handler looks at its context: offer cancellation now.
		j.ctx.context()
	}
	dispatch(j) // the admission of the export's Enter passes to the goroutine
}

// cancels maps the slot of each running async call whose handler looked at
// its context to the function that cancels it. Calls whose handlers never
// look have no entry (see callContext).
var cancels cancelRegistry

// cancelledAll is set once a Shutdown deadline has cancelled every running
// handler; a context made later starts cancelled.
var cancelledAll atomic.Bool

// cancelCall cancels the context of the async call that owns slot, if it is
// still running. Rust calls it (through the slot) when it drops a future.
func cancelCall(slot unsafe.Pointer) {
	if c := cancels.take(slot); c != nil {
		c()
	}
	dropUpload(slot)
}

// cancelEntries counts the registry's entries, for ReadStats.
func cancelEntries() int64 {
	return cancels.len()
}

// offerCancel makes cancel reachable from Rust for the call that owns slot,
// which Go still holds. The slot's cancel word is 0 until Go writes the
// cancel function there, or abi.SlotCancelled once Rust has dropped the
// call: then Rust will not look again, and the call is cancelled here.
func offerCancel(slot unsafe.Pointer, cancel context.CancelFunc) {
	cancels.store(slot, cancel)
	word := (*uintptr)(unsafe.Add(slot, abi.SlotCancelOffset))
	fn := uintptr(unsafe.Pointer(C.r2go1_rt_cancel_fn))
	if !atomic.CompareAndSwapUintptr(word, 0, fn) || cancelledAll.Load() {
		cancelCall(slot)
	}
}

// NotRegistered is the panic of a call whose trait has no Go implementation.
func NotRegistered(trait, register string) string {
	return fmt.Sprintf("r2go: no Go implementation of %s is registered; call %s from an init function of package main (a c-archive never runs main.main)", trait, register)
}
