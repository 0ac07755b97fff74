package rt

import "C"

import "unsafe"

// Rust calls this export by name when a call from Go to Rust ends; data
// and n are the lent result (or the message bytes of a failure).
//
//export r2go1_rt_g2r_complete
func r2go1_rt_g2r_complete(call uint64, status uint32, data unsafe.Pointer, n uintptr) {
	completeRust(call, status, data, n)
}
