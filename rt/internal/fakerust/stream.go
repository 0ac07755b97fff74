package fakerust

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Laid out like r2go_stream in package rt, followed by what the test reads.
typedef struct test_stream test_stream;
struct test_stream {
	void (*complete)(test_stream *s, uint32_t status, const uint8_t *data, size_t len);
	void (*cancel)(void *s);
	void (*notify)(test_stream *s);
	void (*take)(test_stream *s, const uint8_t *data, size_t len);
	void (*pull)(void *s);
	int completes;
	int notifies;
	uint32_t status;
	uint8_t *end;
	size_t end_len;
	uint8_t *batch; // what the last pull took
	size_t batch_len;
};

static void test_stream_complete(test_stream *s, uint32_t status, const uint8_t *data, size_t len) {
	s->status = status;
	s->end = malloc(len ? len : 1);
	memcpy(s->end, data, len);
	s->end_len = len;
	__atomic_add_fetch(&s->completes, 1, __ATOMIC_RELEASE);
}

static void test_stream_notify(test_stream *s) {
	__atomic_add_fetch(&s->notifies, 1, __ATOMIC_RELEASE);
}

static void test_stream_take(test_stream *s, const uint8_t *data, size_t len) {
	free(s->batch);
	s->batch = malloc(len ? len : 1);
	memcpy(s->batch, data, len);
	s->batch_len = len;
}

static test_stream *test_stream_new(void) {
	test_stream *s = calloc(1, sizeof(test_stream));
	s->complete = test_stream_complete;
	s->notify = test_stream_notify;
	s->take = test_stream_take;
	return s;
}

// Does what Rust's poll_next does for items: 0 when Go offered no pull.
static int test_stream_pull(test_stream *s) {
	free(s->batch);
	s->batch = NULL;
	s->batch_len = 0;
	if (!s->pull) return 0;
	s->pull(s);
	return 1;
}

// Does what Rust does when it drops the stream.
static int test_stream_cancel(test_stream *s) {
	if (!s->cancel) return 0;
	s->cancel(s);
	return 1;
}

static int test_stream_completes(test_stream *s) { return __atomic_load_n(&s->completes, __ATOMIC_ACQUIRE); }
static int test_stream_notifies(test_stream *s) { return __atomic_load_n(&s->notifies, __ATOMIC_ACQUIRE); }

static void test_stream_free(test_stream *s) {
	free(s->end);
	free(s->batch);
	free(s);
}
*/
import "C"

import "unsafe"

// Stream is a C stream slot like the ones Rust hands to Go for stream calls.
type Stream struct {
	s *C.test_stream
}

// NewStream allocates a stream slot in C memory; Free releases it.
func NewStream() Stream { return Stream{C.test_stream_new()} }

// Ptr is what generated code receives as its slot argument.
func (s Stream) Ptr() unsafe.Pointer { return unsafe.Pointer(s.s) }

// Pull asks Go for the buffered items, as Rust's poll_next does, and
// returns the batch Go handed over (nil for none).
func (s Stream) Pull() []byte {
	if C.test_stream_pull(s.s) == 0 || s.s.batch_len == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(s.s.batch), C.int(s.s.batch_len))
}

// Notifies is how many times Go notified that items are ready.
func (s Stream) Notifies() int { return int(C.test_stream_notifies(s.s)) }

// Completes is how many times Go completed the stream.
func (s Stream) Completes() int { return int(C.test_stream_completes(s.s)) }

// Status is the status Go completed the stream with.
func (s Stream) Status() uint32 { return uint32(s.s.status) }

// End is a copy of the data Go completed the stream with.
func (s Stream) End() []byte { return C.GoBytes(unsafe.Pointer(s.s.end), C.int(s.s.end_len)) }

// Cancel calls the cancel function Go put in the slot, as Rust does when it
// drops the stream; false when Go put none there.
func (s Stream) Cancel() bool { return C.test_stream_cancel(s.s) != 0 }

// Free releases the slot.
func (s Stream) Free() { C.test_stream_free(s.s) }
