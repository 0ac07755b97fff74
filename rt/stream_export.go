package rt

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
