package rt

/*
#include <stddef.h>
#include <stdint.h>

// The functions of a #[g2r] trait that Rust installs (see RustFuncs). Go
// reaches them through pointers, never by name, so the Go archive links
// without Rust (go test, go vet) and two bridges cannot clash.
typedef void (*r2go_g2r_sync_fn)(const void *host, const uint8_t *args, size_t len, uint64_t call);
typedef void *(*r2go_g2r_async_fn)(const void *host, const uint8_t *args, size_t len, uint64_t call);
typedef void (*r2go_g2r_release_fn)(void *task, uint32_t abort);

static void r2go_g2r_sync(void *fn, const void *host, const uint8_t *args, size_t len, uint64_t call) {
	((r2go_g2r_sync_fn)fn)(host, args, len, call);
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

// RustCall is one call of a #[g2r] method, filled in by generated code.
type RustCall struct {
	Method   string // Trait::method, for messages
	Register string // how Rust registers an implementation, for the error when none is
	Index    int    // the method's place in the table
	// Encode appends the arguments to a Buffer.
	Encode func(buf []byte) []byte
	// Read copies the lent result (nil: the method returns nothing).
	Read func(ref unsafe.Pointer)
	// ReadErr copies the lent error value of a Result whose E is a struct
	// or an enum (nil: E is text, or the method cannot fail).
	ReadErr func(ref unsafe.Pointer) error
}

// rustCall is a call waiting for its completion.
type rustCall struct {
	c    *RustCall
	err  error
	done chan struct{} // async calls: closed by the completion
}

var (
	rustCalls  sync.Map // uint64 → *rustCall
	rustCallID atomic.Uint64
	// rustInFlight counts calls to Rust that have not ended (ReadStats).
	rustInFlight atomic.Int64
)

// ErrRustShutdown is the error of a call to Rust made after Shutdown.
var ErrRustShutdown = errors.New("r2go: the bridge is shut down and makes no calls to Rust")

// begin checks that the call can be made and encodes its arguments.
func (f *RustFuncs) begin(c *RustCall) (t *rustTable, args []byte, err error) {
	if calls.count.Load()&closed != 0 {
		return nil, nil, fmt.Errorf("%s: %w", c.Method, ErrRustShutdown)
	}
	t = f.table.Load()
	if t == nil {
		return nil, nil, fmt.Errorf("r2go: no Rust implementation of %s is registered: call %s from Rust first", c.Method, c.Register)
	}
	defer func() {
		if r := recover(); r != nil {
			if d, ok := r.(*depthError); ok {
				err = fmt.Errorf("r2go: the arguments of %s cannot be encoded: %w", c.Method, d)
				return
			}
			panic(r)
		}
	}()
	return t, c.Encode(Buffer()), nil
}

// argPtr is what Rust receives for an encoded argument buffer: no Go
// pointers inside, valid for the duration of the C call.
func argPtr(buf []byte) (*C.uint8_t, C.size_t) {
	data := buf[header:]
	if len(data) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data))
}

// CallRust makes a sync call: Rust runs the method on this goroutine's
// thread and completes it before returning. The error is the method's own
// (a Result's Err), a Rust panic naming the method, or why the call was
// not made.
func (f *RustFuncs) CallRust(c *RustCall) error {
	t, buf, err := f.begin(c)
	if err != nil {
		return err
	}
	id := rustCallID.Add(1)
	call := &rustCall{c: c}
	rustCalls.Store(id, call)
	rustInFlight.Add(1)
	p, n := argPtr(buf)
	C.r2go_g2r_sync(t.fns[c.Index], t.host, p, n, C.uint64_t(id))
	runtime.KeepAlive(buf)
	recycle(buf)
	rustInFlight.Add(-1)
	if _, missed := rustCalls.LoadAndDelete(id); missed {
		return fmt.Errorf("r2go: Rust returned from %s without completing it (a bug in r2go)", c.Method)
	}
	return call.err
}

// CallRustAsync makes an async call: Rust decodes the arguments, spawns the
// method's future on the runtime it registered with and returns; the
// goroutine waits for the completion or for ctx. When ctx ends first, Rust
// drops the future and CallRustAsync returns ctx's error.
func (f *RustFuncs) CallRustAsync(ctx context.Context, c *RustCall) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, buf, err := f.begin(c)
	if err != nil {
		return err
	}
	id := rustCallID.Add(1)
	call := &rustCall{c: c, done: make(chan struct{})}
	rustCalls.Store(id, call)
	rustInFlight.Add(1)
	defer rustInFlight.Add(-1)
	p, n := argPtr(buf)
	task := C.r2go_g2r_async(t.fns[c.Index], t.host, p, n, C.uint64_t(id))
	runtime.KeepAlive(buf)
	recycle(buf)
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
	c := call.c
	switch status {
	case StatusOK:
		if c.Read != nil {
			c.Read(data)
		}
	case StatusErrorValue:
		call.err = c.ReadErr(data)
	case StatusError:
		call.err = errors.New(rustText(data, n))
	case StatusPanic:
		call.err = fmt.Errorf("r2go: the Rust implementation of %s panicked: %s", c.Method, rustText(data, n))
	default:
		call.err = fmt.Errorf("r2go: %s failed: %s", c.Method, rustText(data, n))
	}
	if call.done != nil {
		close(call.done)
	}
}

// rustText copies a message Rust lends as bytes.
func rustText(data unsafe.Pointer, n uintptr) string {
	if n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(data), n))
}
