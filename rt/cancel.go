package rt

import "C"

import "unsafe"

// r2go1_rt_cancel is reached by Rust through the slot header (never by
// name), so bridges in one binary cannot clash on it.
//
//export r2go1_rt_cancel
func r2go1_rt_cancel(slot unsafe.Pointer) {
	cancelCall(slot)
}
