// Package abi is the contract between the Go runtime (package rt), the code
// rust2go-cli generates and the Rust runtime (crate r2go): the completion
// statuses, the layout of a call slot's header, the counters Go reports, the
// depth limit of values and the version of it all. It is the one place these
// are written down. The Rust runtime's copy, rust/r2go/src/abi.rs, is
// generated from it (RustSource), and a test fails when that file is stale:
// refresh it with
//
//	go test ./rt/abi -update
//
// Both runtimes also assert the slot header layout against these numbers when
// they compile.
package abi

import (
	"bytes"
	"fmt"
	"strconv"
)

// Version is part of every C symbol of a bridge and of the runtime's
// exports (r2go1_rt_...), and generated Go refers to rt.ABI1: glue, Go code
// and runtimes of different versions fail to build or link together.
const Version = 1

// Completion statuses: how Go completed a call slot.
const (
	StatusOK         = 0 // data is the encoded result
	StatusPanic      = 1 // the handler panicked (or ended without returning); data is the message, UTF-8
	StatusError      = 2 // the handler returned an error; data is its Error() text
	StatusErrorValue = 3 // the handler returned the method's error type; data encodes it
	StatusShutdown   = 4 // the call was not run (shut down, or cancelled while waiting); data says why
	StatusInvalid    = 5 // Go could not encode the result (nested deeper than the depth limit); data says why
)

// The header of every call slot, in Rust memory: a C function pointer Go
// calls to complete the call, the cancel word of an async call, and how many
// async calls Rust had in flight when it made this one (async calls only;
// Go's idle worker spins only when there are few). Offsets in bytes (64-bit
// targets). A stream's header shares the first two fields (rt/stream.go).
//
// The cancel word starts at 0. Go compares and swaps it from 0 to its cancel
// function once the handler looks at its context; Rust, when it drops an
// unfinished call, swaps in SlotCancelled and calls the function it took, if
// any. Whichever side comes second sees the other's value, so a cancellation
// is never lost and a handler that never looks at its context costs Go no
// registration.
const (
	SlotCompleteOffset = 0
	SlotCancelOffset   = 8
	SlotInFlightOffset = 16
	SlotHeaderSize     = 24
	SlotCancelled      = 1
)

// The header of the slot of an async call with a stream parameter: a slot
// header, then the function Rust offers for Go to ask for n more items, then
// the one Go writes during the starting call for Rust to lend a batch of
// items (and the input's end: Feed*). Offsets in bytes (64-bit targets).
const (
	UploadWantOffset = SlotHeaderSize
	UploadFeedOffset = SlotHeaderSize + 8
)

// How a batch Rust feeds to Go ends the input.
const (
	FeedMore  = 0 // more items may follow
	FeedEnd   = 1 // the stream ended after these items
	FeedError = 2 // the stream ended with an error item after these items; its text follows
)

// The reply of a sync call from Go to Rust, which Rust writes into Go's
// argument buffer before it returns: a status, the lent result (or message
// bytes) and what keeps it alive until Go has copied it, with the function
// that frees that. Offsets in bytes (64-bit targets).
const (
	G2RReplyStatusOffset = 0
	G2RReplyDataOffset   = 8
	G2RReplyLenOffset    = 16
	G2RReplyHolderOffset = 24
	G2RReplyFreeOffset   = 32
	G2RReplyInlineOffset = 40 // a result of up to 8 bytes that points at nothing, copied here
	G2RReplySize         = 48
)

// Indexes of the counters Go writes into the int64 array Rust lends to
// r2go1_rt_stats; StatCount is its length.
const (
	StatCalls             = 0 // calls in flight
	StatHandlerGoroutines = 1 // goroutines running or waiting to run async handlers
	StatGoroutines        = 2 // every goroutine of the Go runtime
	StatCancelEntries     = 3 // entries of the registry of cancel functions of running async calls
	StatLimiterPlaces     = 4 // places taken in every MaxConcurrent limiter
	StatCount             = 5
)

// DefaultMaxDepth is how deeply values may nest, in levels of struct and
// variant fields (a chain of n TreeNode is n levels deep), unless the
// process sets another limit (r2go::set_max_depth); MaxMaxDepth is the
// highest limit it may set.
const (
	DefaultMaxDepth = 10_000
	MaxMaxDepth     = 100_000
)

// RuntimeExport is a function the Go runtime exports to the Rust runtime.
type RuntimeExport struct {
	Name string // without the r2go<Version>_rt_ prefix
	Rust string // its Rust parameters and result
	Doc  string
}

// RuntimeExports are the functions package rt exports to the Rust runtime.
var RuntimeExports = []RuntimeExport{
	{"shutdown", "(timeout_nanos: i64) -> i64", "Stops accepting calls and waits for those in flight; returns how many were still in flight at the deadline."},
	{"stats", "(out: *mut i64)", "Writes STAT_COUNT counters into `out`."},
	{"set_max_depth", "(levels: i64)", "Sets the depth limit of the results Go encodes."},
	{"g2r_complete", "(call: u64, status: u32, data: *const u8, len: usize)", "Ends call `call` from Go to Rust: `data` lends the result (or `len` bytes of a message) for the duration of the call."},
}

// SymbolPrefix starts every C symbol of this version: the exports of
// generated code and of the runtime.
func SymbolPrefix() string { return "r2go" + strconv.Itoa(Version) + "_" }

// Symbol is the C symbol of a runtime export.
func Symbol(name string) string { return SymbolPrefix() + "rt_" + name }

type rustConst struct {
	name, typ string
	value     int
	doc       string
}

// rustConsts are the constants of abi.rs, each taken from its Go constant.
var rustConsts = []rustConst{
	{"VERSION", "u32", Version, "The contract's version, part of every C symbol."},
	{"STATUS_OK", "u32", StatusOK, "The data is the encoded result."},
	{"STATUS_PANIC", "u32", StatusPanic, "The handler panicked or ended without returning; the data is the message."},
	{"STATUS_ERROR", "u32", StatusError, "The handler returned an error; the data is its `Error()` text."},
	{"STATUS_ERROR_VALUE", "u32", StatusErrorValue, "The handler returned the method's error type; the data encodes it."},
	{"STATUS_SHUTDOWN", "u32", StatusShutdown, "The call was not run; the data says why."},
	{"STATUS_INVALID", "u32", StatusInvalid, "Go could not encode the result; the data says why."},
	{"SLOT_COMPLETE_OFFSET", "usize", SlotCompleteOffset, "Offset of the completion function in a slot header."},
	{"SLOT_CANCEL_OFFSET", "usize", SlotCancelOffset, "Offset of the cancel word in a slot header."},
	{"SLOT_IN_FLIGHT_OFFSET", "usize", SlotInFlightOffset, "Offset of the async calls in flight in a slot header."},
	{"SLOT_HEADER_SIZE", "usize", SlotHeaderSize, "Size of a slot header."},
	{"SLOT_CANCELLED", "usize", SlotCancelled, "The cancel word once Rust has dropped an unfinished async call."},
	{"UPLOAD_WANT_OFFSET", "usize", UploadWantOffset, "Offset of the function Go calls for more items in an upload slot's header."},
	{"UPLOAD_FEED_OFFSET", "usize", UploadFeedOffset, "Offset of the function Go writes for Rust to feed items in an upload slot's header."},
	{"FEED_MORE", "u32", FeedMore, "More items may follow this batch."},
	{"FEED_END", "u32", FeedEnd, "The stream ended after this batch."},
	{"FEED_ERROR", "u32", FeedError, "The stream ended with an error item after this batch; its text follows."},
	{"G2R_REPLY_STATUS_OFFSET", "usize", G2RReplyStatusOffset, "Offset of the status in a sync reply to Go."},
	{"G2R_REPLY_DATA_OFFSET", "usize", G2RReplyDataOffset, "Offset of the lent data in a sync reply to Go."},
	{"G2R_REPLY_LEN_OFFSET", "usize", G2RReplyLenOffset, "Offset of the data's length in a sync reply to Go."},
	{"G2R_REPLY_HOLDER_OFFSET", "usize", G2RReplyHolderOffset, "Offset of what keeps the data alive in a sync reply to Go."},
	{"G2R_REPLY_FREE_OFFSET", "usize", G2RReplyFreeOffset, "Offset of the function that frees it in a sync reply to Go."},
	{"G2R_REPLY_INLINE_OFFSET", "usize", G2RReplyInlineOffset, "Offset of the room for a small self-contained result in a sync reply to Go."},
	{"G2R_REPLY_SIZE", "usize", G2RReplySize, "Size of a sync reply to Go."},
	{"STAT_CALLS", "usize", StatCalls, "Calls in flight."},
	{"STAT_HANDLER_GOROUTINES", "usize", StatHandlerGoroutines, "Goroutines running or waiting to run async handlers."},
	{"STAT_GOROUTINES", "usize", StatGoroutines, "Every goroutine of the Go runtime."},
	{"STAT_CANCEL_ENTRIES", "usize", StatCancelEntries, "Entries of Go's registry of cancel functions."},
	{"STAT_LIMITER_PLACES", "usize", StatLimiterPlaces, "Places taken in every MaxConcurrent limiter."},
	{"STAT_COUNT", "usize", StatCount, "How many counters `r2go1_rt_stats` writes."},
	{"DEFAULT_MAX_DEPTH", "usize", DefaultMaxDepth, "How deeply values may nest unless the process sets another limit."},
	{"MAX_MAX_DEPTH", "usize", MaxMaxDepth, "The highest depth limit a process may set."},
}

// RustSource is the Rust runtime's copy of this contract, rust/r2go/src/abi.rs.
func RustSource() []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by go test ./rt/abi -update. DO NOT EDIT.\n\n")
	b.WriteString("//! The contract with the Go runtime, generated from its one source, the Go\n")
	b.WriteString("//! package r2go.dev/r2go/rt/abi.\n")
	for _, c := range rustConsts {
		fmt.Fprintf(&b, "\n/// %s\npub(crate) const %s: %s = %d;\n", c.doc, c.name, c.typ, c.value)
	}
	b.WriteString("\nunsafe extern \"C\" {\n")
	for i, e := range RuntimeExports {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "    /// %s\n    pub(crate) fn %s%s;\n", e.Doc, Symbol(e.Name), e.Rust)
	}
	b.WriteString("}\n")
	return b.Bytes()
}
