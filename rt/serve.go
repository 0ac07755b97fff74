package rt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Serving registered handlers out of process (ADR 0016). Generated code
// registers, in init, one ServedMethod per method of each #[r2g] trait: a
// function from request bytes to response bytes that does not know the
// transport. Package rt/grpcserve serves them over gRPC; nothing here
// imports it, so c-archives do not grow.

// MethodKind is how a served method exchanges messages.
type MethodKind int

const (
	// Unary: one request, one response (sync, async and oneway methods).
	Unary MethodKind = iota
	// ServerStream: one request, a stream of items (stream methods).
	ServerStream
	// ClientStream: a stream of upload messages, the arguments first, then
	// one response (methods taking a stream).
	ClientStream
)

// ServedMethod is one method as a transport serves it. The functions own
// nothing they are given beyond the call: request bytes may be reused by
// the transport once they return, and the response bytes they return
// belong to the caller. Their errors are *Failure values.
type ServedMethod struct {
	// FullName is the gRPC method name: "/gen.DemoCall/DemoCheck".
	FullName string
	Kind     MethodKind
	// Unary decodes req, calls the handler with ctx and returns the
	// encoded response.
	Unary func(ctx context.Context, req []byte) ([]byte, error)
	// ServerStream decodes req and calls the handler with ctx and a Sink
	// whose Send encodes each item and calls send, which may block (the
	// transport's flow control is the stream's backpressure).
	ServerStream func(ctx context.Context, req []byte, send func([]byte) error) error
	// ClientStream reads the upload messages with recv (io.EOF: the
	// client's stream ended), calls the handler with a Source of the items
	// and returns the encoded response.
	ClientStream func(ctx context.Context, recv func() ([]byte, error)) ([]byte, error)
}

var (
	servedMu sync.Mutex
	served   = map[string]ServedMethod{}
)

// RegisterServed records served methods; generated init functions call
// it. A method registered twice (two generated packages with one package
// name) panics.
func RegisterServed(methods ...ServedMethod) {
	servedMu.Lock()
	defer servedMu.Unlock()
	for _, m := range methods {
		if _, dup := served[m.FullName]; dup {
			panic("r2go: method " + m.FullName + " is registered twice: give the generated packages distinct names")
		}
		served[m.FullName] = m
	}
}

// Served returns every registered method, ordered by FullName.
func Served() []ServedMethod {
	servedMu.Lock()
	defer servedMu.Unlock()
	out := make([]ServedMethod, 0, len(served))
	for _, m := range served {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b ServedMethod) int { return strings.Compare(a.FullName, b.FullName) })
	return out
}

// FailureKind is why a served call failed; transports map it to their
// status codes (ADR 0016).
type FailureKind int

const (
	// Returned: the handler returned a Go error that is not the method's
	// typed error. Message is its Error() text.
	Returned FailureKind = iota
	// Typed: the handler returned the method's typed error; Detail holds
	// the encoded <Trait><Method>Error message named by DetailType.
	Typed
	// Panicked: the handler panicked or did not return (runtime.Goexit);
	// Message is the panic's text.
	Panicked
	// ShutDown: the Go side is shut down, or the call was cancelled while
	// it waited for a free handler (MaxConcurrent); the handler did not run.
	ShutDown
	// Unregistered: no implementation of the trait is registered.
	Unregistered
	// Invalid: a value could not cross: bad request bytes, or a result
	// nested deeper than the depth limit.
	Invalid
)

func (k FailureKind) String() string {
	return [...]string{"returned", "typed", "panicked", "shut down", "unregistered", "invalid"}[k]
}

// Failure is the error of a served call. Message is the text the Rust side
// shows in process for the same failure (the message of its GoError).
type Failure struct {
	Kind    FailureKind
	Message string
	// DetailType is the full protobuf name of the typed error message
	// ("gen.OutcomesLookupError"); Detail is its encoding. Set for Typed.
	DetailType string
	Detail     []byte
}

func (f *Failure) Error() string { return f.Message }

// PBTypedError is how a served method recognises and encodes its typed
// error: Name is the error message's full protobuf name.
type PBTypedError struct {
	Name  string
	Match PBErrorEncoder
}

// NotServed is the failure of a served call to a trait with no
// registered implementation.
func NotServed(trait, register string) error {
	return &Failure{Kind: Unregistered, Message: NotRegistered(trait, register)}
}

// InvalidRequest is the failure of a request that cannot be decoded.
func InvalidRequest(err error) error {
	return &Failure{Kind: Invalid, Message: err.Error()}
}

// The failures of calls that did not run.
var (
	errServedShutdown = &Failure{Kind: ShutDown, Message: "r2go: the Go side is shut down and accepts no calls"}
	errServedWaiting  = &Failure{Kind: ShutDown, Message: "r2go: the call was cancelled while it waited for a free handler"}
)

// servedCalls maps each running served call to what ends it early: the
// cancel of its context, and for streams the close of its sink.
var servedCalls sync.Map // *servedCall -> struct{}

type servedCall struct {
	cancel context.CancelFunc
	stream bool // Shutdown ends streams at once; other calls drain
	mu     sync.Mutex
	closed error // non-nil: Send fails with it
}

func (c *servedCall) close(err error) {
	c.mu.Lock()
	if c.closed == nil {
		c.closed = err
	}
	c.mu.Unlock()
	c.cancel()
}

// closeServed ends every served stream: Send fails with err and the
// handler's context is cancelled (Shutdown, since a stream may never end
// by itself).
func closeServed(err error) {
	servedCalls.Range(func(k, _ any) bool {
		if c := k.(*servedCall); c.stream {
			c.close(err)
		}
		return true
	})
}

// ServeCall runs the handler of one served call (body), admitted like a
// call from Rust: refused after Shutdown, counted as in flight until it
// ends, bounded by lim (async methods; nil: no bound). The handler runs on
// a goroutine of its own, so a panic or runtime.Goexit ends the call with
// a Panicked failure and the server goes on. body writes the response
// into w; its error becomes a Typed failure when typed matches it, else a
// Returned one. ctx is the call's (deadline, cancellation); it is also
// cancelled by a Shutdown whose deadline passes.
func ServeCall(ctx context.Context, lim *Limiter, typed *PBTypedError, body func(ctx context.Context, w *PBWriter) error) ([]byte, error) {
	if !calls.enter() {
		return nil, errServedShutdown
	}
	defer calls.exit()
	ctx, cancel := context.WithCancel(ctx)
	call := &servedCall{cancel: cancel}
	servedCalls.Store(call, struct{}{})
	defer func() {
		servedCalls.Delete(call)
		cancel()
	}()
	if cancelledAll.Load() {
		cancel()
	}
	return runServed(ctx, call, lim, typed, body)
}

func runServed(ctx context.Context, call *servedCall, lim *Limiter, typed *PBTypedError, body func(ctx context.Context, w *PBWriter) error) ([]byte, error) {
	if !lim.acquire(ctx) {
		return nil, errServedWaiting
	}
	defer lim.release()
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	goroutines.Add(1)
	go func() {
		defer goroutines.Add(-1)
		// As in process (job.run): invoking the body recovers a panic,
		// panic(nil) included; only runtime.Goexit gets past it.
		finished := false
		defer func() {
			if !finished {
				done <- result{err: &Failure{Kind: Panicked, Message: endedGoexit}}
			}
		}()
		b, err := invokeServed(ctx, body)
		finished = true
		done <- result{b, err}
	}()
	res := <-done
	if res.err == nil {
		return res.b, nil
	}
	var f *Failure
	if errors.As(res.err, &f) && res.err == error(f) {
		return nil, f
	}
	if typed != nil {
		w := &PBWriter{}
		if typed.Match(w, res.err) {
			return nil, &Failure{Kind: Typed, Message: res.err.Error(), DetailType: typed.Name, Detail: w.B}
		}
	}
	return nil, &Failure{Kind: Returned, Message: res.err.Error()}
}

// invokeServed runs a served call's body and returns its response, its
// error, or the failure of its panic.
func invokeServed(ctx context.Context, body func(ctx context.Context, w *PBWriter) error) (b []byte, err error) {
	returned := false
	defer func() {
		// After runtime.Goexit recover returns nil too, and runServed's
		// deferred call reports it, since the goroutine never gets back.
		if r := recover(); r != nil || !returned {
			b, err = nil, panicFailure(r)
		}
	}()
	w := &PBWriter{}
	err = body(ctx, w)
	returned = true
	return w.B, err
}

// panicFailure is the failure of a handler that ended with the recovered
// value r (nil: panic(nil)).
func panicFailure(r any) *Failure {
	if d, ok := r.(*depthError); ok {
		return &Failure{Kind: Invalid, Message: d.Error()}
	}
	if f, ok := r.(*Failure); ok {
		return f
	}
	return &Failure{Kind: Panicked, Message: endedWith(r, true)}
}

// ServeStream runs a stream handler of a served call like ServeCall; its
// Sink's Send encodes each item with enc and hands it to send, waiting
// while send does. Send fails (wrapping ErrStreamClosed) once the client
// is gone, the Go side shuts down or the handler has returned.
func ServeStream[T any](ctx context.Context, lim *Limiter, typed *PBTypedError, send func([]byte) error,
	enc func(*PBWriter, *T), handler func(ctx context.Context, out *Sink[T]) error) error {
	if !calls.enter() {
		return errServedShutdown
	}
	defer calls.exit()
	ctx, cancel := context.WithCancel(ctx)
	call := &servedCall{cancel: cancel, stream: true}
	servedCalls.Store(call, struct{}{})
	defer func() {
		servedCalls.Delete(call)
		cancel()
	}()
	if cancelledAll.Load() || calls.count.Load()&closed != 0 {
		call.close(errShutdown)
	}
	sink := SinkFunc(func(v T) error {
		call.mu.Lock()
		closedErr := call.closed
		call.mu.Unlock()
		if closedErr != nil {
			return closedErr
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: the client is gone (%v)", ErrStreamClosed, err)
		}
		w := &PBWriter{}
		enc(w, &v)
		if err := send(w.B); err != nil {
			return fmt.Errorf("%w: %v", ErrStreamClosed, err)
		}
		return nil
	})
	_, err := runServed(ctx, call, lim, typed, func(ctx context.Context, _ *PBWriter) error {
		return handler(ctx, sink)
	})
	call.close(errReturned)
	return err
}

// ServeUpload runs the handler of a served call that takes a stream, like
// ServeCall. The first message from recv must carry the arguments, which
// args decodes; the handler's Source then yields each item, decoded by
// item, until the client's stream ends (io.EOF), an error item arrives
// (Next fails wrapping ErrSourceFailed with its text) or the call ends.
func ServeUpload[T any](ctx context.Context, lim *Limiter, typed *PBTypedError, recv func() ([]byte, error),
	args func([]byte) error, item func([]byte) (T, error), body func(ctx context.Context, src *Source[T], w *PBWriter) error) ([]byte, error) {
	first, err := recv()
	if err != nil {
		return nil, &Failure{Kind: Invalid, Message: "r2go: the upload ended before its arguments: " + err.Error()}
	}
	part, payload, err := uploadPart(first)
	if err == nil && part != 1 {
		err = errors.New("the first message does not carry the arguments")
	}
	if err == nil {
		err = args(payload)
	}
	if err != nil {
		return nil, InvalidRequest(err)
	}
	src := &Source[T]{}
	var pullMu sync.Mutex
	src.pull = func(ctx context.Context) (T, bool, error) {
		var zero T
		pullMu.Lock()
		defer pullMu.Unlock()
		if src.pulled != nil {
			return zero, false, src.pulled
		}
		if err := ctx.Err(); err != nil {
			return zero, false, err
		}
		fail := func(err error) (T, bool, error) {
			src.pulled = err
			return zero, false, err
		}
		b, err := recv()
		if errors.Is(err, io.EOF) {
			return fail(nil)
		}
		if err != nil {
			return fail(fmt.Errorf("%w: %v", ErrStreamClosed, err))
		}
		part, payload, err := uploadPart(b)
		if err != nil {
			return fail(fmt.Errorf("%w: %v", ErrStreamClosed, err))
		}
		switch part {
		case 2:
			v, err := item(payload)
			if err != nil {
				return fail(fmt.Errorf("%w: %v", ErrStreamClosed, err))
			}
			return v, true, nil
		case 3:
			return fail(fmt.Errorf("%w: %s", ErrSourceFailed, payload))
		}
		return fail(fmt.Errorf("%w: the arguments were sent twice", ErrStreamClosed))
	}
	defer func() {
		pullMu.Lock()
		if src.pulled == nil {
			src.pulled = errReturned
		}
		pullMu.Unlock()
	}()
	return ServeCall(ctx, lim, typed, func(ctx context.Context, w *PBWriter) error {
		return body(ctx, src, w)
	})
}

// uploadPart reads an upload message: which member of its oneof part is
// set (the last one written) and its payload.
func uploadPart(b []byte) (int, []byte, error) {
	r := &PBReader{}
	part, payload := 0, []byte(nil)
	for len(b) > 0 {
		num, typ, rest, err := r.Tag(b)
		if err != nil {
			return 0, nil, err
		}
		if num >= 1 && num <= 3 {
			if payload, b, err = r.Payload(typ, rest); err != nil {
				return 0, nil, err
			}
			part = int(num)
			continue
		}
		if b, err = r.Skip(num, typ, rest); err != nil {
			return 0, nil, err
		}
	}
	if part == 0 {
		return 0, nil, errors.New("no part of the upload message is set")
	}
	return part, payload, nil
}
