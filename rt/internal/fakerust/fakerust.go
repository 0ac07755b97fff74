// Package fakerust stands in for the Rust side in tests of package rt: a slot
// in C memory whose completion records the status and a copy of the data.
package fakerust

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct test_slot test_slot;
struct test_slot {
	void (*complete)(test_slot *slot, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *slot);
	size_t in_flight;
	int calls;
	uint32_t status;
	uint8_t *data;
	size_t len;
};

static void test_complete(test_slot *s, uint32_t status, const uint8_t *data, size_t len) {
	s->status = status;
	free(s->data);
	s->data = malloc(len ? len : 1);
	memcpy(s->data, data, len);
	s->len = len;
	// Published last: a reader that sees the count sees the data.
	__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELEASE);
}

static int test_slot_calls(test_slot *s) {
	return __atomic_load_n(&s->calls, __ATOMIC_ACQUIRE);
}

static test_slot *test_slot_new(void) {
	test_slot *s = calloc(1, sizeof(test_slot));
	s->complete = test_complete;
	return s;
}

// Does what Rust does when it drops a pending future.
static int test_slot_cancel(test_slot *s) {
	uintptr_t prev = __atomic_exchange_n((uintptr_t *)&s->cancel, (uintptr_t)1, __ATOMIC_ACQ_REL);
	if (prev == 0 || prev == 1) return 0;
	((void (*)(void *))prev)(s);
	return 1;
}

static void test_slot_free(test_slot *s) {
	free(s->data);
	free(s);
}
*/
import "C"

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

// Slot is a C slot like the ones Rust hands to Go.
type Slot struct {
	s *C.test_slot
}

// NewSlot allocates a slot in C memory; Free releases it.
func NewSlot() Slot { return Slot{C.test_slot_new()} }

// NewSlots makes n slots, freed when the test or benchmark tb ends.
func NewSlots(tb testing.TB, n int) []Slot {
	slots := make([]Slot, n)
	for i := range slots {
		slots[i] = NewSlot()
	}
	tb.Cleanup(func() {
		for _, s := range slots {
			s.Free()
		}
	})
	return slots
}

// Ptr is what generated code receives as its slot argument.
func (s Slot) Ptr() unsafe.Pointer { return unsafe.Pointer(s.s) }

// Calls is how many times the slot was completed.
func (s Slot) Calls() int { return int(C.test_slot_calls(s.s)) }

// Status is the status of the last completion.
func (s Slot) Status() uint32 { return uint32(s.s.status) }

// Data is a copy of the data of the last completion.
func (s Slot) Data() []byte { return C.GoBytes(unsafe.Pointer(s.s.data), C.int(s.s.len)) }

// Cancel marks the slot cancelled and calls the cancel function Go put in
// it, as Rust does when it drops a pending future; false when Go had put
// none there (its handler had not looked at its context yet).
func (s Slot) Cancel() bool { return C.test_slot_cancel(s.s) != 0 }

// Free releases the slot.
func (s Slot) Free() { C.test_slot_free(s.s) }

// CString lends s as Rust would: C memory, for the duration of a test.
func CString(s string) (p *byte, free func()) {
	c := C.CBytes([]byte(s))
	return (*byte)(c), func() { C.free(c) }
}

// CBytes copies b into C memory, as a lent Rust slice.
func CBytes(b []byte) (p unsafe.Pointer, free func()) {
	c := C.CBytes(b)
	return c, func() { C.free(c) }
}

// Within bounds every wait of a test: a wait that takes longer fails the
// test with a message instead of hanging until go test's own timeout.
const Within = 10 * time.Second

// WaitFor polls cond until it holds, failing the test after Within.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", Within, what)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// Recv receives from ch, failing the test after Within.
func Recv[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Within):
		t.Fatalf("gave up after %v waiting for %s", Within, what)
		panic("unreachable")
	}
}

// Done waits for ctx to end in a handler, reporting false (and failing the
// test) when it does not within Within; a handler cannot call t.Fatal, since
// it does not run on the test's goroutine.
func Done(t testing.TB, what string, ctx context.Context) bool {
	t.Helper()
	select {
	case <-ctx.Done():
		return true
	case <-time.After(Within):
		t.Errorf("gave up after %v waiting for %s", Within, what)
		return false
	}
}
