package rt_test

import (
	"context"
	"unsafe"

	"r2go.dev/r2go/rt"
)

// export runs body as a generated export does: Enter admits the call, leave
// (rt.Leave for a sync export, rt.LeaveStarted for an async or stream one)
// is deferred with the flag body sets once the handler returned or was
// started. It reports whether Enter admitted the call (after Shutdown it
// completed the slot instead, and body did not run), also when body
// panicked: leave recovers, and the named result stands.
func export(slot unsafe.Pointer, leave func(unsafe.Pointer, *bool), body func(returned *bool)) (admitted bool) {
	if !rt.Enter(slot) {
		return false
	}
	admitted = true
	returned := false
	defer leave(slot, &returned)
	body(&returned)
	return admitted
}

// goExport starts h as the export of an async method does: Go takes the
// admission over, so the call counts as in flight until the handler has
// ended.
func goExport(slot unsafe.Pointer, lim *rt.Limiter, match rt.ErrorEncoder, h rt.Handler) bool {
	return export(slot, rt.LeaveStarted, func(started *bool) {
		rt.Go(slot, lim, match, h)
		*started = true
	})
}

// streamExport starts h as the export of a stream method does.
func streamExport[T any](slot unsafe.Pointer, lim *rt.Limiter, buffer int, match rt.ErrorEncoder,
	enc func([]byte, *T) []byte, h func(context.Context, *rt.Sink[T]) error) bool {
	return export(slot, rt.LeaveStarted, func(started *bool) {
		rt.Stream(slot, lim, buffer, match, enc, h)
		*started = true
	})
}
