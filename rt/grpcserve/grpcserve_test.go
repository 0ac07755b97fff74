package grpcserve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protowire"

	"r2go.dev/r2go/handlers/demo"
	"r2go.dev/r2go/rt/grpcserve"
)

// The demo handlers (the ones the c-archive serves to Rust) served over an
// in-memory connection, called by a plain grpc-go client with raw bytes.

var registerOnce sync.Once

type conn struct {
	cc  *grpc.ClientConn
	srv *grpcserve.Server
	// served ends when Serve returns.
	served chan error
}

// start serves the demo handlers on an in-memory listener (or lis) and
// dials it with a small fixed flow-control window, so that a stalled
// reader stalls the handler after a bounded number of items.
func start(t *testing.T, lis net.Listener) *conn {
	t.Helper()
	registerOnce.Do(demo.Register)
	var dial func(context.Context, string) (net.Conn, error)
	target := "passthrough:///bufnet"
	if lis == nil {
		buf := bufconn.Listen(1 << 20)
		dial = func(ctx context.Context, _ string) (net.Conn, error) { return buf.DialContext(ctx) }
		lis = buf
	} else {
		target = "unix://" + lis.Addr().String()
	}
	c := &conn{srv: grpcserve.New(), served: make(chan error, 1)}
	go func() { c.served <- c.srv.Serve(lis) }()
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(grpcserve.Codec{})),
		grpc.WithInitialWindowSize(64 << 10),
		grpc.WithInitialConnWindowSize(64 << 10),
	}
	if dial != nil {
		opts = append(opts, grpc.WithContextDialer(dial))
	}
	cc, err := grpc.NewClient(target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c.cc = cc
	t.Cleanup(func() {
		cc.Close()
		c.srv.Stop()
		select {
		case <-c.served:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return within 10s of Stop")
		}
	})
	return c
}

func (c *conn) call(ctx context.Context, method string, req []byte) ([]byte, error) {
	var out []byte
	err := c.cc.Invoke(ctx, method, req, &out)
	return out, err
}

// Request builders: field number and value, in the wire forms the model
// gives each kind.
func uintField(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}
func sintField(b []byte, num protowire.Number, v int64) []byte {
	return uintField(b, num, protowire.EncodeZigZag(v))
}
func bytesField(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// fields reads a message's top-level fields: number -> the raw value
// (varint value, or payload) of the last occurrence.
func fields(t *testing.T, b []byte) map[protowire.Number]any {
	t.Helper()
	out := map[protowire.Number]any{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad response bytes % x", b)
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, k := protowire.ConsumeVarint(b)
			out[num], b = v, b[k:]
		case protowire.BytesType:
			v, k := protowire.ConsumeBytes(b)
			out[num], b = string(v), b[k:]
		default:
			t.Fatalf("unexpected wire type %d", typ)
		}
	}
	return out
}

// first is the varint field 1 of a message, 0 when absent or malformed
// (for goroutines, which must not stop the test).
func first(b []byte) uint64 {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num != 1 || typ != protowire.VarintType {
		return 0
	}
	v, _ := protowire.ConsumeVarint(b[n:])
	return v
}

func bounded(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type outcome struct {
	Code    codes.Code
	Message string
	Details []string // type URL and the detail's fields
}

func statusOf(t *testing.T, err error) outcome {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a status: %v", err)
	}
	o := outcome{Code: st.Code(), Message: st.Message()}
	for _, d := range st.Proto().GetDetails() {
		o.Details = append(o.Details, d.GetTypeUrl(), fmt.Sprint(fields(t, d.GetValue())))
	}
	return o
}

func TestResultsAndEveryErrorKind(t *testing.T) {
	c := start(t, nil)
	ctx := bounded(t)
	out, err := c.call(ctx, "/gen.DemoCall/Add", sintField(sintField(nil, 1, -2), 2, 7))
	if err != nil {
		t.Fatal(err)
	}
	if got := fields(t, out)[1]; got != protowire.EncodeZigZag(5) {
		t.Errorf("Add(-2, 7) = field %v, want zigzag 5", got)
	}
	demoError := string(uintField(bytesField(uintField(nil, 1, 5), 2, []byte("not found")), 3, 1))
	for _, c2 := range []struct {
		name, method string
		req          []byte
		want         outcome
	}{
		{"returned", "/gen.Outcomes/Divide", sintField(nil, 1, 1), outcome{Code: codes.Unknown, Message: "division by zero"}},
		{"panicked", "/gen.Outcomes/Divide", sintField(sintField(nil, 1, 13), 2, 1), outcome{Code: codes.Internal, Message: "unlucky 13"}},
		{"typed struct", "/gen.Outcomes/Lookup", uintField(nil, 1, 5), outcome{Code: codes.Unknown, Message: "DemoError{Code:5 Message:not found Typed:true}",
			Details: []string{"type.googleapis.com/gen.OutcomesLookupError", fmt.Sprint(map[protowire.Number]any{1: demoError})}}},
		{"typed data enum, wrapped", "/gen.Outcomes/Guard", uintField(nil, 1, 2), outcome{Code: codes.Unknown, Message: "guard: DemoFaultDenied{Reason:no badge}",
			Details: []string{"type.googleapis.com/gen.OutcomesGuardError", fmt.Sprint(map[protowire.Number]any{1: string(bytesField(nil, 2, bytesField(nil, 1, []byte("no badge"))))})}}},
		{"typed unit enum, async", "/gen.Outcomes/Status", uintField(nil, 1, 1), outcome{Code: codes.Unknown, Message: "Busy",
			Details: []string{"type.googleapis.com/gen.OutcomesStatusError", fmt.Sprint(map[protowire.Number]any{1: uint64(1)})}}},
		{"plain error of a typed method", "/gen.Outcomes/Lookup", uintField(nil, 1, 300), outcome{Code: codes.Unknown, Message: "lookup 300: backend unavailable"}},
		{"async panic", "/gen.Outcomes/Work", uintField(uintField(nil, 1, 2), 2, 9), outcome{Code: codes.Internal, Message: "panic 9"}},
		{"goexit", "/gen.Hostile/Goexit", nil, outcome{Code: codes.Internal, Message: "the handler called runtime.Goexit"}},
		{"bad request", "/gen.DemoCall/Add", bytesField(nil, 1, []byte("x")), outcome{Code: codes.InvalidArgument, Message: "r2go: cannot decode a: wire type 2 where 0 was expected"}},
		{"out of range", "/gen.Outcomes/Guard", uintField(nil, 1, 256), outcome{Code: codes.InvalidArgument, Message: "r2go: cannot decode kind: 256 is out of range for u8"}},
		{"too deep to encode", "/gen.Hostile/Chain", uintField(nil, 1, 20_000), outcome{Code: codes.InvalidArgument, Message: "TreeNode is nested deeper than the depth limit of 10000 levels (is the value cyclic?)"}},
		{"nil data enum", "/gen.TypesCall/NilShape", nil, outcome{Code: codes.Internal, Message: "r2go: cannot pass a nil Shape to Rust; set one of its variants"}},
		{"unknown method", "/gen.DemoCall/Nope", nil, outcome{Code: codes.Unimplemented, Message: "unknown method Nope for service gen.DemoCall"}},
	} {
		_, err := c.call(ctx, c2.method, c2.req)
		if err == nil {
			t.Errorf("%s: no error", c2.name)
			continue
		}
		if d := cmp.Diff(c2.want, statusOf(t, err)); d != "" {
			t.Errorf("%s: status (-want +got):\n%s", c2.name, d)
		}
	}
	// The server lives on after the panics.
	if out, err := c.call(ctx, "/gen.Outcomes/Divide", sintField(sintField(nil, 1, 9), 2, 3)); err != nil || fields(t, out)[1] != protowire.EncodeZigZag(3) {
		t.Errorf("Divide(9, 3) after panics: % x, %v", out, err)
	}
}

// waitFor polls cond every few milliseconds for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *conn) counter(t *testing.T, method string, req []byte) uint64 {
	t.Helper()
	out, err := c.call(bounded(t), method, req)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := fields(t, out)[1].(uint64)
	return v
}

func TestDeadlineAndCancellationReachTheHandler(t *testing.T) {
	c := start(t, nil)
	before := c.counter(t, "/gen.DemoCall/Cancellations", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.call(ctx, "/gen.DemoCall/WaitForCancel", uintField(nil, 1, 10_000))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("deadline: %v", err)
	}
	waitFor(t, "the handler sees the deadline", func() bool { return c.counter(t, "/gen.DemoCall/Cancellations", nil) == before+1 })
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.call(ctx, "/gen.DemoCall/WaitForCancel", uintField(nil, 1, 10_000))
	if status.Code(err) != codes.Canceled {
		t.Errorf("cancel: %v", err)
	}
	waitFor(t, "the handler sees the cancellation", func() bool { return c.counter(t, "/gen.DemoCall/Cancellations", nil) == before+2 })
}

var endlessDesc = &grpc.StreamDesc{StreamName: "Endless", ServerStreams: true}

func TestStreamsWithASlowReaderBufferABoundedAmount(t *testing.T) {
	c := start(t, nil)
	ctx, cancel := context.WithCancel(bounded(t))
	const tag = 4242
	s, err := c.cc.NewStream(ctx, endlessDesc, "/gen.Streams/Endless")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendMsg(uintField(nil, 1, tag)); err != nil {
		t.Fatal(err)
	}
	s.CloseSend()
	for i := uint64(0); i < 100; i++ {
		var b []byte
		if err := s.RecvMsg(&b); err != nil {
			t.Fatal(err)
		}
		if got, _ := fields(t, b)[1].(uint64); got != i {
			t.Fatalf("item %d is %d", i, got)
		}
	}
	// The reader stops: Send blocks once the flow-control windows are full.
	sent := func() uint64 { return c.counter(t, "/gen.Streams/Sent", uintField(nil, 1, tag)) }
	var stalled uint64
	waitFor(t, "Send blocks", func() bool {
		a := sent()
		time.Sleep(100 * time.Millisecond)
		stalled = sent()
		return a == stalled
	})
	// Items are 3 to 7 bytes with 5 bytes of framing; two 64 KiB windows
	// and grpc's own write buffer hold well under 50,000 of them.
	if stalled >= 50_000 {
		t.Errorf("%d items sent while nobody read", stalled)
	}
	t.Logf("%d items were in flight when Send blocked", stalled)
	before := c.counter(t, "/gen.Streams/StreamCancellations", nil)
	cancel()
	waitFor(t, "the handler ends when the client cancels", func() bool {
		return c.counter(t, "/gen.Streams/StreamCancellations", nil) == before+1
	})
}

func TestUploads(t *testing.T) {
	c := start(t, nil)
	ctx := bounded(t)
	desc := &grpc.StreamDesc{ClientStreams: true}
	upload := func(method string, parts ...[]byte) ([]byte, error) {
		s, err := c.cc.NewStream(ctx, desc, method)
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			if err := s.SendMsg(p); err != nil {
				return nil, err
			}
		}
		if err := s.CloseSend(); err != nil {
			return nil, err
		}
		var out []byte
		err = s.RecvMsg(&out)
		return out, err
	}
	parts := [][]byte{bytesField(nil, 1, nil)}
	for i := range 100 {
		parts = append(parts, bytesField(nil, 2, uintField(nil, 1, uint64(i))))
	}
	out, err := upload("/gen.Uploads/Sum", parts...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fields(t, out)[1], string(uintField(uintField(nil, 1, 100), 2, 4950)); got != want {
		t.Errorf("Sum = % x, want % x", got, want)
	}
	user := bytesField(nil, 2, bytesField(nil, 1, bytesField(nil, 1, []byte("ann"))))
	_, err = upload("/gen.Uploads/Names", bytesField(nil, 1, nil), user, bytesField(nil, 3, []byte("disk on fire")))
	if d := cmp.Diff(outcome{Code: codes.Unknown, Message: "r2go: the Rust stream ended with an error: disk on fire"}, statusOf(t, err)); d != "" {
		t.Errorf("Names with an error item (-want +got):\n%s", d)
	}
	_, err = upload("/gen.Uploads/Sum", user)
	if d := cmp.Diff(outcome{Code: codes.InvalidArgument, Message: "the first message does not carry the arguments"}, statusOf(t, err)); d != "" {
		t.Errorf("Sum without arguments (-want +got):\n%s", d)
	}
}

func TestGracefulStopDrainsCallsAndEndsStreams(t *testing.T) {
	c := start(t, nil)
	ctx := bounded(t)
	type result struct {
		out []byte
		err error
	}
	slow := make(chan result, 1)
	go func() {
		out, err := c.call(ctx, "/gen.DemoCall/SleepEcho", uintField(uintField(nil, 1, 300), 2, 77))
		slow <- result{out, err}
	}()
	s, err := c.cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/gen.Streams/HoldOpen")
	if err != nil {
		t.Fatal(err)
	}
	s.SendMsg([]byte(nil))
	s.CloseSend()
	var first []byte
	if err := s.RecvMsg(&first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // SleepEcho is in flight
	start := time.Now()
	stopped := make(chan struct{})
	go func() {
		c.srv.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("GracefulStop did not return within 10s")
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("GracefulStop returned after %v, before the call in flight ended", d)
	}
	r := <-slow
	if r.err != nil || fields(t, r.out)[1] != uint64(77) {
		t.Errorf("the call in flight: % x, %v", r.out, r.err)
	}
	var b []byte
	err = s.RecvMsg(&b)
	if st := statusOf(t, err); st.Code != codes.Unavailable {
		t.Errorf("the open stream ended with %v, want Unavailable", err)
	}
	if err := <-c.served; err != nil {
		t.Errorf("Serve returned %v after GracefulStop", err)
	}
	c.served <- nil // for the cleanup
}

func TestTenThousandConcurrentCallsOverAUnixSocket(t *testing.T) {
	lis, err := grpcserve.Listen("unix://" + filepath.Join(t.TempDir(), "h.sock"))
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, lis)
	ctx := bounded(t)
	const n = 10_000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out []byte
			var err error
			if i%2 == 0 {
				out, err = c.call(ctx, "/gen.DemoCall/Add", sintField(sintField(nil, 1, int64(i)), 2, int64(i)))
				if got := first(out); err == nil && got != protowire.EncodeZigZag(int64(2*i)) {
					err = fmt.Errorf("Add(%d, %d) = % x", i, i, out)
				}
			} else {
				out, err = c.call(ctx, "/gen.DemoCall/SleepEcho", uintField(uintField(nil, 1, 1), 2, uint64(i)))
				if got := first(out); err == nil && got != uint64(i) {
					err = fmt.Errorf("SleepEcho(1, %d) = % x", i, out)
				}
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if len(all) > 0 {
		t.Fatalf("%d of %d calls failed, the first: %v", len(all), n, errors.Join(all[:1]...))
	}
}
