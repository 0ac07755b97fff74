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
// result; for async calls Go tells Rust how to cancel the handler.
typedef struct r2go_slot r2go_slot;
struct r2go_slot {
	void (*complete)(r2go_slot *slot, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *slot);
};

static void r2go_complete(void *slot, uint32_t status, const uint8_t *data, size_t len) {
	r2go_slot *s = slot;
	s->complete(s, status, data, len);
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
	"unsafe"
)

// ABI1 is referenced by generated code: a gen.go that does not match this
// runtime's ABI fails to compile instead of misbehaving.
const ABI1 = true

// Completion statuses, shared with the Rust runtime.
const (
	StatusOK         = 0 // data is the encoded result
	StatusPanic      = 1 // data is the panic message, UTF-8
	StatusError      = 2 // the handler returned an error; data is its Error() text
	StatusErrorValue = 3 // the handler returned the method's error struct; data encodes it
	StatusShutdown   = 4 // the call was not run (shut down, or cancelled while waiting); data says why
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

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Buffer returns an empty buffer for encoding a result; Complete recycles it.
func Buffer() []byte {
	return (*buffers.Get().(*[]byte))[:0]
}

func recycle(b []byte) {
	if cap(b) <= maxPooled {
		b = b[:0]
		buffers.Put(&b)
	}
}

// complete hands the result to Rust. Rust decodes it before returning, so buf
// is free again afterwards.
func complete(slot unsafe.Pointer, status uint32, buf []byte) {
	var p *C.uint8_t
	if len(buf) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&buf[0]))
	}
	C.r2go_complete(slot, C.uint32_t(status), p, C.size_t(len(buf)))
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

func encodeError(buf []byte, err error, matchErr ErrorEncoder) ([]byte, uint32) {
	if matchErr != nil {
		if b, ok := matchErr(buf, err); ok {
			return b, StatusErrorValue
		}
	}
	return append(buf, err.Error()...), StatusError
}

// Leave is deferred by every generated export after Enter admitted the call:
// a panic in a handler (or in reading its arguments) completes the slot with
// the panic message instead of killing the process (Rust then panics on the
// calling task, or returns Err for methods returning Result), and the call
// stops counting as in flight.
func Leave(slot unsafe.Pointer) {
	if r := recover(); r != nil {
		complete(slot, StatusPanic, panicMessage(r))
	}
	exit()
}

func panicMessage(r any) []byte {
	return []byte(fmt.Sprint(r))
}

// Handler is the body of an async call: it runs the user's handler with ctx,
// appends the encoded result to buf and returns it with the handler's error.
type Handler func(ctx context.Context, buf []byte) ([]byte, error)

// Go runs an async handler on a goroutine and completes the slot with
// what it returns, its error (see Fail) or its panic. The slot is Go's
// counted reference to the Rust call (not borrowed data): Go releases it by
// completing it. Call it from an export admitted by Enter; the call stays in
// flight (for Shutdown) until the handler returns.
//
// The handler's context is cancelled when Rust drops the call's future
// before the result arrives, and when a Shutdown deadline passes; the handler
// should then return soon, and its result is discarded. With a Limiter, the
// handler waits for a free place first; a call whose context ends while it
// waits completes with StatusShutdown without running.
func Go(slot unsafe.Pointer, lim *Limiter, matchErr ErrorEncoder, handler Handler) {
	ctx, cancel := context.WithCancel(context.Background())
	cancels.Store(slot, cancel)
	// Written before this export returns to Rust, which reads it only later.
	(*C.r2go_slot)(slot).cancel = C.r2go1_rt_cancel_fn
	calls.count.Add(1) // admitted by the export's Enter: no gate check
	dispatch(&job{ctx: ctx, cancel: cancel, slot: slot, lim: lim, matchErr: matchErr, handler: handler})
}

func invoke(ctx context.Context, handler Handler, matchErr ErrorEncoder) (buf []byte, status uint32) {
	defer func() {
		if r := recover(); r != nil {
			buf, status = panicMessage(r), StatusPanic
		}
	}()
	buf, err := handler(ctx, Buffer())
	if err != nil {
		buf, status = encodeError(buf[:0], err, matchErr)
	}
	return buf, status
}

// cancels maps the slot of each running async call to its cancel function.
var cancels sync.Map

// cancelCall cancels the context of the async call that owns slot, if it is
// still running. Rust calls it (through the slot) when it drops a future.
func cancelCall(slot unsafe.Pointer) {
	if c, ok := cancels.LoadAndDelete(slot); ok {
		c.(context.CancelFunc)()
	}
}

// NotRegistered is the panic of a call whose trait has no Go implementation.
func NotRegistered(trait, register string) string {
	return fmt.Sprintf("r2go: no Go implementation of %s is registered; call %s from an init function of package main (a c-archive never runs main.main)", trait, register)
}
