package rttest

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void r2go1_rt_g2r_complete(uint64_t call, uint32_t status, void *data, uintptr_t len);

// A fake #[g2r] implementation. The sync method's arguments are a status
// byte and then either an int64 (the result, for status 0) or a message;
// its reply says how often Go freed what it held.
typedef struct {
	uint32_t status;
	const void *data;
	size_t len;
	void *holder;
	void (*free)(void *holder);
	uint64_t inline_value;
} test_g2r_reply;

static int64_t test_g2r_value;
static int test_g2r_frees;

static void test_g2r_free(void *holder) {
	__atomic_add_fetch(&test_g2r_frees, 1, __ATOMIC_SEQ_CST);
}

static void test_g2r_sync(const void *host, const uint8_t *args, size_t len, test_g2r_reply *reply) {
	reply->status = args[0];
	reply->holder = &test_g2r_value;
	reply->free = test_g2r_free;
	if (args[0] == 0) {
		memcpy(&test_g2r_value, args + 1, sizeof test_g2r_value);
		reply->data = &test_g2r_value;
		return;
	}
	reply->data = args + 1;
	reply->len = len - 1;
}

static int test_g2r_freed(void) {
	return __atomic_load_n(&test_g2r_frees, __ATOMIC_SEQ_CST);
}

// The async method keeps its call pending until test_g2r_finish.
static uint64_t test_g2r_pending;
static int test_g2r_released, test_g2r_aborted;

static void *test_g2r_async(const void *host, const uint8_t *args, size_t len, uint64_t call) {
	__atomic_store_n(&test_g2r_pending, call, __ATOMIC_SEQ_CST);
	return malloc(1);
}

static void test_g2r_finish(int64_t v) {
	static int64_t result;
	result = v;
	r2go1_rt_g2r_complete(__atomic_load_n(&test_g2r_pending, __ATOMIC_SEQ_CST), 0, &result, 0);
}

static void test_g2r_release(void *task, uint32_t abort) {
	free(task);
	__atomic_add_fetch(&test_g2r_released, 1, __ATOMIC_SEQ_CST);
	if (abort) __atomic_add_fetch(&test_g2r_aborted, 1, __ATOMIC_SEQ_CST);
}

static int test_g2r_releases(int aborted) {
	return __atomic_load_n(aborted ? &test_g2r_aborted : &test_g2r_released, __ATOMIC_SEQ_CST);
}

static uint64_t test_g2r_pending_call(void) {
	return __atomic_load_n(&test_g2r_pending, __ATOMIC_SEQ_CST);
}

static void *test_g2r_table[3];

static void **test_g2r_fns(void) {
	test_g2r_table[0] = (void *)test_g2r_release;
	test_g2r_table[1] = (void *)test_g2r_sync;
	test_g2r_table[2] = (void *)test_g2r_async;
	return test_g2r_table;
}
*/
import "C"

import "unsafe"

// RustTable is a fake table of #[g2r] functions, as Rust installs it:
// release, then a sync method (index 0) and an async method (index 1).
func RustTable() (fns unsafe.Pointer, n uintptr) {
	return unsafe.Pointer(C.test_g2r_fns()), 3
}

// PendingRustCall is the id of the last call of the async method (0: none).
func PendingRustCall() uint64 { return uint64(C.test_g2r_pending_call()) }

// FinishRustCall completes the last call of the async method with v, as a
// tokio task would, from whatever goroutine calls it.
func FinishRustCall(v int64) { C.test_g2r_finish(C.int64_t(v)) }

// RustFrees reports how many sync replies Go freed.
func RustFrees() int { return int(C.test_g2r_freed()) }

// RustReleases reports how many async tasks Go released, and how many of
// those it aborted.
func RustReleases() (released, aborted int) {
	return int(C.test_g2r_releases(0)), int(C.test_g2r_releases(1))
}
