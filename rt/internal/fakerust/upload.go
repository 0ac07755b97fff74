package fakerust

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Laid out like r2go_upload in package rt, followed by what the test reads.
typedef struct test_upload test_upload;
struct test_upload {
	void (*complete)(test_upload *s, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *s);
	size_t in_flight;
	void (*want)(test_upload *s, size_t n);
	void (*feed)(void *s, const void *list, uint32_t end, const uint8_t *msg, size_t len);
	size_t credit;
	int wants;
	int completes;
	uint32_t status;
	uint8_t *end;
	size_t end_len;
};

static void test_upload_complete(test_upload *s, uint32_t status, const uint8_t *data, size_t len) {
	s->status = status;
	s->end = malloc(len ? len : 1);
	memcpy(s->end, data, len);
	s->end_len = len;
	__atomic_add_fetch(&s->completes, 1, __ATOMIC_RELEASE);
}

static void test_upload_want(test_upload *s, size_t n) {
	__atomic_add_fetch(&s->credit, n, __ATOMIC_RELEASE);
	__atomic_add_fetch(&s->wants, 1, __ATOMIC_RELEASE);
}

static test_upload *test_upload_new(void) {
	test_upload *s = calloc(1, sizeof(test_upload));
	s->complete = test_upload_complete;
	s->want = test_upload_want;
	return s;
}

// Does what Rust's future does: lends n uint64 items first, first + 1, ...
// with how the input goes on; 0 when Go offered no feed.
static int test_upload_feed(test_upload *s, uint64_t first, size_t n, uint32_t end, const char *msg, size_t msg_len) {
	if (!s->feed) return 0;
	uint64_t *items = malloc((n ? n : 1) * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) items[i] = first + i;
	struct { const void *ptr; size_t len; } list = { items, n };
	s->feed(s, &list, end, (const uint8_t *)msg, msg_len);
	free(items);
	return 1;
}

// Does what Rust does when it drops the call: marks the cancel word
// cancelled and calls the function Go had put there, if any.
static int test_upload_cancel(test_upload *s) {
	uintptr_t prev = __atomic_exchange_n((uintptr_t *)&s->cancel, (uintptr_t)1, __ATOMIC_ACQ_REL);
	if (prev == 0 || prev == 1) return 0;
	((void (*)(void *))prev)(s);
	return 1;
}

static size_t test_upload_credit(test_upload *s) { return __atomic_load_n(&s->credit, __ATOMIC_ACQUIRE); }
static int test_upload_wants(test_upload *s) { return __atomic_load_n(&s->wants, __ATOMIC_ACQUIRE); }
static int test_upload_completes(test_upload *s) { return __atomic_load_n(&s->completes, __ATOMIC_ACQUIRE); }

static void test_upload_free(test_upload *s) {
	free(s->end);
	free(s);
}
*/
import "C"

import "unsafe"

// Upload is a C slot like the ones Rust hands to Go for an async call with
// a stream parameter; its want records the credit Go gives.
type Upload struct {
	s *C.test_upload
}

// NewUpload allocates an upload slot in C memory; Free releases it.
func NewUpload() Upload { return Upload{C.test_upload_new()} }

// Ptr is what generated code receives as its slot argument.
func (u Upload) Ptr() unsafe.Pointer { return unsafe.Pointer(u.s) }

// Feed lends n uint64 items first, first+1, ... to Go's feed, with end (an
// abi.Feed* value) and msg, as Rust's future does; false when Go put no
// feed function in the slot.
func (u Upload) Feed(first uint64, n int, end uint32, msg string) bool {
	m := C.CString(msg)
	defer C.free(unsafe.Pointer(m))
	return C.test_upload_feed(u.s, C.uint64_t(first), C.size_t(n), C.uint32_t(end), m, C.size_t(len(msg))) != 0
}

// Credit is how many items Go has asked for in all.
func (u Upload) Credit() int { return int(C.test_upload_credit(u.s)) }

// Wants is how many times Go asked for items.
func (u Upload) Wants() int { return int(C.test_upload_wants(u.s)) }

// Completes is how many times Go completed the call.
func (u Upload) Completes() int { return int(C.test_upload_completes(u.s)) }

// Status is the status Go completed the call with.
func (u Upload) Status() uint32 { return uint32(u.s.status) }

// End is a copy of the data Go completed the call with.
func (u Upload) End() []byte { return C.GoBytes(unsafe.Pointer(u.s.end), C.int(u.s.end_len)) }

// Cancel calls the cancel function Go put in the slot, as Rust does when it
// drops the call's future; false when Go put none there.
func (u Upload) Cancel() bool { return C.test_upload_cancel(u.s) != 0 }

// Free releases the slot.
func (u Upload) Free() { C.test_upload_free(u.s) }
