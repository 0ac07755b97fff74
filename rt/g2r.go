package rt

/*
#include <stddef.h>
#include <stdint.h>

// The functions of a #[g2r] trait that Rust installs (see RustFuncs). Go
// reaches them through pointers, never by name, so the Go archive links
// without Rust (go test, go vet) and two bridges cannot clash.
// What Rust writes back for a sync call (layout: abi.G2RReply*).
typedef struct r2go_g2r_reply {
	uint32_t status;
	const void *data;
	size_t len;
	void *holder;
	void (*free)(void *holder);
	uint64_t inline_value;
} r2go_g2r_reply;

typedef void (*r2go_g2r_sync_fn)(const void *host, const uint8_t *args, size_t len, r2go_g2r_reply *reply);
typedef void *(*r2go_g2r_async_fn)(const void *host, const uint8_t *args, size_t len, uint64_t call);
typedef void (*r2go_g2r_release_fn)(void *task, uint32_t abort);

static void r2go_g2r_sync(void *fn, const void *host, const uint8_t *args, size_t len, r2go_g2r_reply *reply) {
	((r2go_g2r_sync_fn)fn)(host, args, len, reply);
}

static void r2go_g2r_free(r2go_g2r_reply *reply) {
	reply->free(reply->holder);
}

static void *r2go_g2r_async(void *fn, const void *host, const uint8_t *args, size_t len, uint64_t call) {
	return ((r2go_g2r_async_fn)fn)(host, args, len, call);
}

static void r2go_g2r_release(void *fn, void *task, uint32_t abort) {
	((r2go_g2r_release_fn)fn)(task, abort);
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"r2go.dev/r2go/rt/abi"
)

// The reply's layout is the contract's.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.status)-abi.G2RReplyStatusOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.data)-abi.G2RReplyDataOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.len)-abi.G2RReplyLenOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.holder)-abi.G2RReplyHolderOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.free)-abi.G2RReplyFreeOffset]
	_ = [1]struct{}{}[unsafe.Offsetof(C.r2go_g2r_reply{}.inline_value)-abi.G2RReplyInlineOffset]
	_ = [1]struct{}{}[unsafe.Sizeof(C.r2go_g2r_reply{})-abi.G2RReplySize]
)

// Calls from Go to Rust (#[g2r] traits), the reverse of the rest of this
// package with the same two codecs (ADR 0011): Go encodes the arguments into
// a Buffer that Rust decodes during the call; Rust lends the result, which
// Go copies during its completion call (r2go1_rt_g2r_complete). Neither
// side keeps a pointer into the other's memory after a call.

// RustFuncs holds the functions Rust installed for one #[g2r] trait: Rust
// calls the trait's generated install export when it registers an
// implementation, and again to replace it.
type RustFuncs struct {
	table atomic.Pointer[rustTable]
}

type rustTable struct {
	host    unsafe.Pointer   // Rust's registration, passed back on every call
	release unsafe.Pointer   // frees (and may abort) an async call's task
	fns     []unsafe.Pointer // one per method, in the model's order
}

// Install copies the table of n function pointers at fns (release first,
// then one per method) that Rust passes to the install export.
func (f *RustFuncs) Install(host, fns unsafe.Pointer, n uintptr) {
	all := unsafe.Slice((*unsafe.Pointer)(fns), n)
	f.table.Store(&rustTable{host: host, release: all[0], fns: append([]unsafe.Pointer(nil), all[1:]...)})
}

// RustMethod describes one #[g2r] method: generated code keeps one per
// method in a variable and passes it to CallRust or CallRustAsync with the
// method's encoder and readers, so a sync call allocates nothing for them.
type RustMethod struct {
	Name     string // Trait::method, for messages
	Register string // how Rust registers an implementation, for the error when none is
	Index    int    // the method's place in the table
}

// The codecs of one call. Encode appends the arguments to a Buffer; Read
// copies the lent result (nil: the method returns nothing); ReadErr copies
// the lent error value of a Result whose E is a struct or an enum (nil: E is
// text, or the method cannot fail).
type (
	Encoder   = func(buf []byte) []byte
	Reader    = func(ref unsafe.Pointer)
	ErrReader = func(ref unsafe.Pointer) error
)

// rustCall is an async call waiting for its completion.
type rustCall struct {
	m       *RustMethod
	read    Reader
	readErr ErrReader
	err     error
	done    chan struct{} // closed by the completion
}

var (
	rustCalls  sync.Map // uint64 → *rustCall
	rustCallID atomic.Uint64
	// callsToRust counts calls to Rust that have not ended (ReadStats).
	callsToRust atomic.Int64
)

// ErrRustShutdown is the error of a call to Rust made after Shutdown.
var ErrRustShutdown = errors.New("r2go: the bridge is shut down and makes no calls to Rust")

// begin checks that the call can be made and encodes its arguments after
// reserve bytes (where Rust writes a sync call's reply).
func (f *RustFuncs) begin(m *RustMethod, encode Encoder, reserve int) (t *rustTable, pooled *[]byte, buf []byte, err error) {
	if calls.count.Load()&closed != 0 {
		return nil, nil, nil, fmt.Errorf("%s: %w", m.Name, ErrRustShutdown)
	}
	t = f.table.Load()
	if t == nil {
		return nil, nil, nil, fmt.Errorf("r2go: no Rust implementation of %s is registered: call %s from Rust first", m.Name, m.Register)
	}
	defer func() {
		if r := recover(); r != nil {
			if d, ok := r.(*depthError); ok {
				err = fmt.Errorf("r2go: the arguments of %s cannot be encoded: %w", m.Name, d)
				return
			}
			panic(r)
		}
	}()
	// The pool's own pointer goes back with the buffer (see done), so a call
	// allocates nothing for it.
	pooled = buffers.Get().(*[]byte)
	buf = append((*pooled)[:0], make([]byte, header+reserve)...)
	return t, pooled, encode(buf), nil
}

// done returns a buffer begin took from the pool.
func done(pooled *[]byte, buf []byte) {
	if cap(buf) <= maxPooled {
		*pooled = buf[:0]
		buffers.Put(pooled)
	}
}

// argPtr is what Rust receives for the encoded arguments from offset on:
// no Go pointers inside, valid for the duration of the C call.
func argPtr(buf []byte, offset int) (*C.uint8_t, C.size_t) {
	data := buf[offset:]
	if len(data) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data))
}

// CallRust makes a sync call: Rust runs the method on this goroutine's
// thread and, before returning, writes its reply into the argument buffer
// (a lent value and what keeps it alive), which Go copies and then frees.
// The error is the method's own (a Result's Err), a Rust panic naming the
// method, or why the call was not made.
func (f *RustFuncs) CallRust(m *RustMethod, encode Encoder, read Reader, readErr ErrReader) error {
	const reserve = abi.G2RReplySize
	t, pooled, buf, err := f.begin(m, encode, reserve)
	if err != nil {
		return err
	}
	reply := (*C.r2go_g2r_reply)(unsafe.Pointer(&buf[header]))
	reply.status = noReply
	p, n := argPtr(buf, header+reserve)
	callsToRust.Add(1)
	C.r2go_g2r_sync(t.fns[m.Index], t.host, p, n, reply)
	if reply.status == noReply {
		err = fmt.Errorf("r2go: Rust returned from %s without a reply (a bug in r2go)", m.Name)
	} else {
		err = outcome(m, read, readErr, uint32(reply.status), unsafe.Pointer(reply.data), uintptr(reply.len))
	}
	if reply.free != nil { // a small scalar result is copied into the reply itself
		C.r2go_g2r_free(reply)
	}
	callsToRust.Add(-1)
	runtime.KeepAlive(buf)
	done(pooled, buf)
	return err
}

// noReply is the status of a sync reply Rust has not written.
const noReply = ^C.uint32_t(0)

// outcome copies what Rust lent for a call of m that ended with status.
func outcome(m *RustMethod, read Reader, readErr ErrReader, status uint32, data unsafe.Pointer, n uintptr) error {
	switch status {
	case StatusOK:
		if read != nil {
			read(data)
		}
		return nil
	case StatusErrorValue:
		return readErr(data)
	case StatusError:
		return errors.New(rustText(data, n))
	case StatusPanic:
		return fmt.Errorf("r2go: the Rust implementation of %s panicked: %s", m.Name, rustText(data, n))
	}
	return fmt.Errorf("r2go: %s failed: %s", m.Name, rustText(data, n))
}

// CallRustAsync makes an async call: Rust decodes the arguments, spawns the
// method's future on the runtime it registered with and returns; the
// goroutine waits for the completion or for ctx. When ctx ends first, Rust
// drops the future and CallRustAsync returns ctx's error.
func (f *RustFuncs) CallRustAsync(ctx context.Context, m *RustMethod, encode Encoder, read Reader, readErr ErrReader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, pooled, buf, err := f.begin(m, encode, 0)
	if err != nil {
		return err
	}
	id := rustCallID.Add(1)
	call := &rustCall{m: m, read: read, readErr: readErr, done: make(chan struct{})}
	rustCalls.Store(id, call)
	callsToRust.Add(1)
	defer callsToRust.Add(-1)
	p, n := argPtr(buf, header)
	task := C.r2go_g2r_async(t.fns[m.Index], t.host, p, n, C.uint64_t(id))
	runtime.KeepAlive(buf)
	done(pooled, buf)
	select {
	case <-call.done:
	case <-ctx.Done():
		if _, pending := rustCalls.LoadAndDelete(id); pending {
			// The completion cannot come any more: drop the future.
			if task != nil {
				C.r2go_g2r_release(t.release, task, 1)
			}
			return ctx.Err()
		}
		<-call.done // the completion won the race and is delivering
	}
	if task != nil {
		C.r2go_g2r_release(t.release, task, 0)
	}
	return call.err
}

// completeRust delivers the outcome of call id: Rust lends it for the
// duration of this call.
func completeRust(id uint64, status uint32, data unsafe.Pointer, n uintptr) {
	v, ok := rustCalls.LoadAndDelete(id)
	if !ok {
		return // an async call whose context ended first
	}
	call := v.(*rustCall)
	call.err = outcome(call.m, call.read, call.readErr, status, data, n)
	close(call.done)
}

// rustText copies a message Rust lends as bytes.
func rustText(data unsafe.Pointer, n uintptr) string {
	if n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(data), n))
}
