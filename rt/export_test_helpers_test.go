package rt_test

import (
	"context"
	"unsafe"

	"r2go.dev/r2go/rt"
)

// goExport starts h as the export of an async method does: Enter admits the
// call and Go takes the admission over, so the call counts as in flight until
// the handler has ended. It reports whether Enter admitted the call (after
// Shutdown it completed the slot instead).
func goExport(slot unsafe.Pointer, lim *rt.Limiter, match rt.ErrorEncoder, h rt.Handler) bool {
	if !rt.Enter(slot) {
		return false
	}
	started := false
	defer rt.LeaveStarted(slot, &started)
	rt.Go(slot, lim, match, h)
	started = true
	return true
}

// streamExport starts h as the export of a stream method does.
func streamExport[T any](slot unsafe.Pointer, lim *rt.Limiter, buffer int, match rt.ErrorEncoder,
	enc func([]byte, *T) []byte, h func(context.Context, *rt.Sink[T]) error) bool {
	if !rt.Enter(slot) {
		return false
	}
	started := false
	defer rt.LeaveStarted(slot, &started)
	rt.Stream(slot, lim, buffer, match, enc, h)
	started = true
	return true
}
