package main

// The floor: the least a hand-written Rust to Go bridge does for each
// workload, with no framework. Arguments are copied into Go values before
// the handler runs (as r2go does, so the handler owns them); results go back
// as the C return value, or encoded into a buffer Rust provides; async calls
// start a goroutine that calls a Rust function pointer when done.

/*
#include <stddef.h>
#include <stdint.h>

// An element of the struct workload as Rust lends it.
typedef struct {
	const uint8_t *name;
	size_t name_len;
	uint8_t tag;
} r2gobench_item;

typedef void (*r2gobench_done_fn)(void *call, uint64_t value);

static void r2gobench_done(r2gobench_done_fn done, void *call, uint64_t value) {
	done(call, value);
}

typedef int64_t (*r2gobench_add_fn)(int64_t a, int64_t b);

static int64_t r2gobench_call_add(r2gobench_add_fn add, int64_t a, int64_t b) {
	return add(a, b);
}
*/
import "C"

import (
	"context"
	"encoding/binary"
	"unsafe"

	"r2go.dev/r2go/bench/r2go/gen"
)

// r2gobench_floor_noop does nothing: the cost of a cgo call itself, one of
// the suite's limit rows.
//
//export r2gobench_floor_noop
func r2gobench_floor_noop() {}

//export r2gobench_floor_add
func r2gobench_floor_add(a, b C.int64_t) C.int64_t {
	return C.int64_t(handler.Add(int64(a), int64(b)))
}

//export r2gobench_floor_bytes
func r2gobench_floor_bytes(p *C.uint8_t, n C.size_t) C.uint64_t {
	data := make([]uint8, n)
	copy(data, unsafe.Slice((*uint8)(p), n))
	return C.uint64_t(handler.Bytes(data))
}

// r2gobench_floor_items reads n items, calls the handler and encodes its
// result into out (a count, then per item a length, the name and the tag).
// It returns the encoded length; when that exceeds capacity, out is untouched.
//
//export r2gobench_floor_items
func r2gobench_floor_items(p *C.r2gobench_item, n C.size_t, out *C.uint8_t, capacity C.size_t) C.size_t {
	lent := unsafe.Slice(p, n)
	req := gen.Items{Items: make([]gen.Item, n)}
	for i := range lent {
		req.Items[i] = gen.Item{
			Name: string(unsafe.Slice((*byte)(lent[i].name), lent[i].name_len)),
			Tag:  uint8(lent[i].tag),
		}
	}
	resp := handler.Items(req)
	size := 8
	for i := range resp.Items {
		size += 8 + len(resp.Items[i].Name) + 1
	}
	if size > int(capacity) {
		return C.size_t(size)
	}
	buf := unsafe.Slice((*byte)(out), size)[:0]
	buf = binary.NativeEndian.AppendUint64(buf, uint64(len(resp.Items)))
	for i := range resp.Items {
		buf = binary.NativeEndian.AppendUint64(buf, uint64(len(resp.Items[i].Name)))
		buf = append(buf, resp.Items[i].Name...)
		buf = append(buf, resp.Items[i].Tag)
	}
	return C.size_t(size)
}

// r2gobench_floor_echo runs the echo handler on a goroutine and passes its
// result to done(call, value).
//
//export r2gobench_floor_echo
func r2gobench_floor_echo(x C.uint64_t, done C.r2gobench_done_fn, call unsafe.Pointer) {
	go func() {
		C.r2gobench_done(done, call, C.uint64_t(handler.Echo(context.Background(), uint64(x))))
	}()
}

// r2gobench_floor_hold is r2gobench_floor_echo for the blocking handler.
//
//export r2gobench_floor_hold
func r2gobench_floor_hold(x C.uint64_t, done C.r2gobench_done_fn, call unsafe.Pointer) {
	go func() {
		C.r2gobench_done(done, call, C.uint64_t(handler.Hold(context.Background(), uint64(x))))
	}()
}

// r2gobench_floor_g2r_add_loop calls the Rust function add(i, 1) for i in
// 0..n and returns the sum: the least a sync call from Go to Rust costs, a
// cgo call through a C function pointer with no framework.
//
//export r2gobench_floor_g2r_add_loop
func r2gobench_floor_g2r_add_loop(add C.r2gobench_add_fn, n C.uint64_t) C.int64_t {
	var sum C.int64_t
	for i := C.uint64_t(0); i < n; i++ {
		sum += C.r2gobench_call_add(add, C.int64_t(i), 1)
	}
	return sum
}
