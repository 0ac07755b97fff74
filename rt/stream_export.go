package rt

// #include <stdint.h>
import "C"

import "unsafe"

// The exports of streams are reached by Rust through the slot (never by
// name), so bridges in one binary cannot clash on them.

//export r2go1_rt_stream_pull
func r2go1_rt_stream_pull(slot unsafe.Pointer) {
	pullStream(slot)
}

//export r2go1_rt_stream_cancel
func r2go1_rt_stream_cancel(slot unsafe.Pointer) {
	dropStream(slot)
}

//export r2go1_rt_upload_feed
func r2go1_rt_upload_feed(slot, list unsafe.Pointer, end C.uint32_t, msg *C.uint8_t, n C.size_t) {
	var text string
	if n > 0 {
		text = C.GoStringN((*C.char)(unsafe.Pointer(msg)), C.int(n))
	}
	feedUpload(slot, list, uint32(end), text)
}
