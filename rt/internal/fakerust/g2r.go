package fakerust

/*
#include <pthread.h>
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

// The second async method records every call for test_g2r_take; the test
// completes them from other goroutines with test_g2r_finish_id.
#define TEST_G2R_MANY 65536
static uint64_t test_g2r_many[TEST_G2R_MANY];
static int test_g2r_many_len;
static pthread_mutex_t test_g2r_many_mu = PTHREAD_MUTEX_INITIALIZER;

static void *test_g2r_async_many(const void *host, const uint8_t *args, size_t len, uint64_t call) {
	pthread_mutex_lock(&test_g2r_many_mu);
	if (test_g2r_many_len < TEST_G2R_MANY) test_g2r_many[test_g2r_many_len++] = call;
	pthread_mutex_unlock(&test_g2r_many_mu);
	return malloc(1);
}

// Moves up to max recorded calls into out; returns how many.
static int test_g2r_take(uint64_t *out, int max) {
	pthread_mutex_lock(&test_g2r_many_mu);
	int n = test_g2r_many_len < max ? test_g2r_many_len : max;
	memcpy(out, test_g2r_many + test_g2r_many_len - n, n * sizeof *out);
	test_g2r_many_len -= n;
	pthread_mutex_unlock(&test_g2r_many_mu);
	return n;
}

static void test_g2r_finish_id(uint64_t call) {
	int64_t result = (int64_t)call; // Go copies it during the call
	r2go1_rt_g2r_complete(call, 0, &result, 0);
}

static void *test_g2r_table[4];

static void **test_g2r_fns(void) {
	test_g2r_table[0] = (void *)test_g2r_release;
	test_g2r_table[1] = (void *)test_g2r_sync;
	test_g2r_table[2] = (void *)test_g2r_async;
	test_g2r_table[3] = (void *)test_g2r_async_many;
	return test_g2r_table;
}
*/
import "C"

import "unsafe"

// RustTable is a fake table of #[g2r] functions, as Rust installs it:
// release, then a sync method (index 0) and two async methods (index 1:
// see FinishRustCall; index 2: see TakeRustCalls).
func RustTable() (fns unsafe.Pointer, n uintptr) {
	return unsafe.Pointer(C.test_g2r_fns()), 4
}

// TakeRustCalls returns the ids of the calls of the second async method
// made since the last TakeRustCalls.
func TakeRustCalls() []uint64 {
	out := make([]uint64, 1024)
	n := C.test_g2r_take((*C.uint64_t)(unsafe.Pointer(&out[0])), C.int(len(out)))
	return out[:n]
}

// FinishRustCallID completes the call id of the second async method with
// the id itself as its int64 result, as a tokio task would.
func FinishRustCallID(id uint64) { C.test_g2r_finish_id(C.uint64_t(id)) }

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
