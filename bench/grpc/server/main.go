// Command grpc-bench-server serves the benchmark suite's interface over gRPC
// on a Unix socket, for the tonic client in ../benches/grpc.rs.
//
// There is no .proto file and no protoc: the messages are encoded by hand
// with protowire (messages.go) and the service is described by hand below,
// which is what protoc-gen-go-grpc would generate.
//
// It prints "ready" once it listens, and exits when its standard input
// closes, so it never outlives the bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

func main() {
	socket := flag.String("socket", "", "Unix socket to listen on")
	flag.Parse()
	_ = os.Remove(*socket)
	lis, err := net.Listen("unix", *socket)
	if err != nil {
		log.Fatal(err)
	}
	encoding.RegisterCodec(codec{})
	srv := grpc.NewServer()
	srv.RegisterService(&serviceDesc, newBench())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Println("ready")
	log.Fatal(srv.Serve(lis))
}

// bench holds the handlers: the same trivial work as the other peers'.
type bench struct {
	mu   sync.Mutex
	gate chan struct{}
	held atomic.Uint64
}

func newBench() *bench { return &bench{gate: make(chan struct{})} }

func (b *bench) hold(ctx context.Context, x uint64) uint64 {
	b.mu.Lock()
	gate := b.gate
	b.mu.Unlock()
	b.held.Add(1)
	defer b.held.Add(^uint64(0))
	select {
	case <-gate:
	case <-ctx.Done():
	}
	return x
}

func (b *bench) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.gate)
	b.gate = make(chan struct{})
}

// unary adapts a typed handler to grpc's method handler.
func unary[Req any, PReq interface {
	*Req
	message
}, Resp message](f func(*bench, context.Context, PReq) Resp) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
		in := PReq(new(Req))
		if err := dec(in); err != nil {
			return nil, err
		}
		return f(srv.(*bench), ctx, in), nil
	}
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "bench.Bench",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Add", Handler: unary(func(_ *bench, _ context.Context, in *pair) *integer {
			return &integer{v: in.a + in.b}
		})},
		{MethodName: "Bytes", Handler: unary(func(_ *bench, _ context.Context, in *blob) *number {
			return &number{v: uint64(len(in.data))}
		})},
		{MethodName: "Items", Handler: unary(func(_ *bench, _ context.Context, in *items) *items {
			return in
		})},
		{MethodName: "Echo", Handler: unary(func(_ *bench, _ context.Context, in *number) *number {
			return in
		})},
		{MethodName: "Hold", Handler: unary(func(b *bench, ctx context.Context, in *number) *number {
			return &number{v: b.hold(ctx, in.v)}
		})},
		{MethodName: "Held", Handler: unary(func(b *bench, _ context.Context, _ *number) *number {
			return &number{v: b.held.Load()}
		})},
		{MethodName: "Release", Handler: unary(func(b *bench, _ context.Context, _ *number) *number {
			b.release()
			return &number{}
		})},
	},
	Streams: []grpc.StreamDesc{
		{StreamName: "Count", ServerStreams: true, Handler: count},
	},
}

// count sends 0, 1, ..., n - 1, one message each: a server stream.
func count(_ any, stream grpc.ServerStream) error {
	var in number
	if err := stream.RecvMsg(&in); err != nil {
		return err
	}
	var out number
	for i := range in.v {
		out.v = i
		if err := stream.SendMsg(&out); err != nil {
			return err
		}
	}
	return nil
}

// codec replaces grpc's "proto" codec with the hand-written messages.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error)      { return v.(message).marshal(nil), nil }
func (codec) Unmarshal(data []byte, v any) error { return v.(message).unmarshal(data) }
func (codec) Name() string                       { return "proto" }
