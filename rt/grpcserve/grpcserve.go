// Package grpcserve serves every registered r2go handler over gRPC, out of
// process (ADR 0016): the same handlers a c-archive serves to Rust in
// process, in a normal Go main, over a Unix socket or TCP.
//
//	func main() {
//		handlers.Register() // the gen.RegisterX calls the c-archive makes too
//		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
//		defer stop()
//		log.Fatal(grpcserve.ListenAndServe(ctx, "unix:///run/app/handlers.sock"))
//	}
//
// Each generated package registers its methods with rt when it is linked
// (rt.Served); a Server made by New serves those registered by then. A
// handler's error becomes a gRPC status whose message is the text Rust
// shows in process; a typed error travels in the status details as a
// google.protobuf.Any; a panic becomes INTERNAL and the server goes on.
// The handler's context is the RPC's: it carries the client's deadline and
// is cancelled when the client cancels or goes away.
package grpcserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	// Registers the "proto" codec that Codec delegates other messages to.
	_ "google.golang.org/grpc/encoding/proto"

	"r2go.dev/r2go/rt"
)

// Server serves the registered handlers with a grpc.Server.
type Server struct {
	gs *grpc.Server
	// streams is cancelled by GracefulStop: it ends open server streams,
	// which may never end by themselves.
	streams      context.Context
	cancelStream context.CancelFunc
}

// Option configures a Server.
type Option func(*config)

type config struct{ grpc []grpc.ServerOption }

// GRPCOptions passes options to the grpc.Server (credentials, interceptors,
// message size limits, keepalive).
func GRPCOptions(opts ...grpc.ServerOption) Option {
	return func(c *config) { c.grpc = append(c.grpc, opts...) }
}

// New returns a Server for every method registered with rt so far. Its
// codec passes r2go's encoded messages through and hands any other value
// to gRPC's proto codec, so ordinary protobuf services can be registered
// on GRPC() beside them.
func New(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := &Server{gs: grpc.NewServer(append([]grpc.ServerOption{grpc.ForceServerCodecV2(Codec{})}, c.grpc...)...)}
	s.streams, s.cancelStream = context.WithCancel(context.Background())
	services := map[string]*grpc.ServiceDesc{}
	var order []string
	for _, m := range rt.Served() {
		svc, method, ok := splitName(m.FullName)
		if !ok {
			continue
		}
		d := services[svc]
		if d == nil {
			d = &grpc.ServiceDesc{ServiceName: svc, HandlerType: (*any)(nil)}
			services[svc] = d
			order = append(order, svc)
		}
		switch m.Kind {
		case rt.Unary:
			d.Methods = append(d.Methods, grpc.MethodDesc{MethodName: method, Handler: s.unary(m)})
		case rt.ServerStream:
			d.Streams = append(d.Streams, grpc.StreamDesc{StreamName: method, Handler: s.serverStream(m), ServerStreams: true})
		case rt.ClientStream:
			d.Streams = append(d.Streams, grpc.StreamDesc{StreamName: method, Handler: s.clientStream(m), ClientStreams: true})
		}
	}
	for _, svc := range order {
		s.gs.RegisterService(services[svc], struct{}{})
	}
	return s
}

// splitName splits "/gen.DemoCall/DemoCheck" into service and method.
func splitName(full string) (service, method string, ok bool) {
	return strings.Cut(strings.TrimPrefix(full, "/"), "/")
}

// GRPC returns the underlying grpc.Server, to register other services on
// it before Serve.
func (s *Server) GRPC() *grpc.Server { return s.gs }

// Serve accepts connections on lis until Stop or GracefulStop; it returns
// nil after GracefulStop and Stop, and the listener's error otherwise.
func (s *Server) Serve(lis net.Listener) error {
	err := s.gs.Serve(lis)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// GracefulStop stops accepting connections and calls, ends the open server
// streams (their Send fails with an error wrapping rt.ErrStreamClosed and
// their contexts are cancelled) and waits until every other call in flight
// has returned, as rt.Shutdown does for calls from Rust. It does not shut
// rt down: handlers called in process go on.
func (s *Server) GracefulStop() {
	s.cancelStream()
	s.gs.GracefulStop()
}

// Stop closes every connection at once: calls in flight see their
// contexts cancelled and their results are discarded.
func (s *Server) Stop() {
	s.cancelStream()
	s.gs.Stop()
}

// Listen listens on addr: "unix:///path/to.sock" (a Unix socket; a stale
// socket file left by a process that is gone is replaced) or "host:port"
// (TCP; port 0 picks a free port, which the listener's Addr tells).
func Listen(addr string) (net.Listener, error) {
	if path, ok := strings.CutPrefix(addr, "unix://"); ok {
		lis, err := net.Listen("unix", path)
		if err != nil && isStale(path) {
			if rmErr := os.Remove(path); rmErr == nil {
				lis, err = net.Listen("unix", path)
			}
		}
		return lis, err
	}
	return net.Listen("tcp", addr)
}

// isStale reports whether path is a Unix socket nobody accepts on.
func isStale(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return false
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		return true
	}
	c.Close()
	return false
}

// ListenAndServe serves the registered handlers on addr (see Listen) until
// ctx ends, then stops gracefully (GracefulStop) and returns nil; it
// returns an error when it cannot listen or serve.
func ListenAndServe(ctx context.Context, addr string, opts ...Option) error {
	lis, err := Listen(addr)
	if err != nil {
		return err
	}
	return ServeUntil(ctx, New(opts...), lis)
}

// ServeUntil serves on lis until ctx ends, then stops gracefully.
func ServeUntil(ctx context.Context, s *Server, lis net.Listener) error {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			s.GracefulStop()
		case <-done:
		}
	}()
	err := s.Serve(lis)
	close(done)
	<-stopped
	return err
}

func (s *Server) unary(m rt.ServedMethod) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	return func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		var in []byte
		if err := dec(&in); err != nil {
			return nil, err
		}
		handle := func(ctx context.Context, req any) (any, error) {
			out, err := m.Unary(ctx, *req.(*[]byte))
			if err != nil || ctx.Err() != nil {
				// A result made after the call's deadline or cancellation
				// is discarded, as in process: the call ends with that.
				return nil, toStatus(ctx, err)
			}
			return out, nil
		}
		if interceptor == nil {
			return handle(ctx, &in)
		}
		return interceptor(ctx, &in, &grpc.UnaryServerInfo{FullMethod: m.FullName}, handle)
	}
}

func (s *Server) serverStream(m rt.ServedMethod) func(any, grpc.ServerStream) error {
	return func(_ any, stream grpc.ServerStream) error {
		var in []byte
		if err := stream.RecvMsg(&in); err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(stream.Context())
		defer cancel()
		stop := context.AfterFunc(s.streams, cancel)
		defer stop()
		err := m.ServerStream(ctx, in, func(b []byte) error { return stream.SendMsg(b) })
		switch {
		case err == nil:
			return nil
		case s.streams.Err() != nil && stream.Context().Err() == nil:
			// GracefulStop ended the stream: the handler's error says how.
			return status.Error(codes.Unavailable, err.Error())
		}
		return toStatus(stream.Context(), err)
	}
}

func (s *Server) clientStream(m rt.ServedMethod) func(any, grpc.ServerStream) error {
	return func(_ any, stream grpc.ServerStream) error {
		ctx := stream.Context()
		out, err := m.ClientStream(ctx, func() ([]byte, error) {
			var b []byte
			err := stream.RecvMsg(&b)
			return b, err
		})
		if err != nil || ctx.Err() != nil {
			return toStatus(ctx, err) // as in unary
		}
		return stream.SendMsg(out)
	}
}

// toStatus maps the failure of a served call to its gRPC status (ADR 0016):
// the message is the text Rust shows in process. Once the call's context
// has ended, its status is the context's, whatever the handler returned
// (err may then be nil).
func toStatus(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return status.FromContextError(ctxErr).Err()
	}
	var f *rt.Failure
	if !errors.As(err, &f) {
		return status.Error(codes.Unknown, err.Error())
	}
	st := &spb.Status{Code: int32(Code(f.Kind)), Message: f.Message}
	if f.Kind == rt.Typed {
		st.Details = []*anypb.Any{{TypeUrl: "type.googleapis.com/" + f.DetailType, Value: f.Detail}}
	}
	return status.FromProto(st).Err()
}

// Code is the gRPC status code of a failure kind.
func Code(k rt.FailureKind) codes.Code {
	switch k {
	case rt.Returned, rt.Typed:
		return codes.Unknown
	case rt.Panicked:
		return codes.Internal
	case rt.ShutDown:
		return codes.Unavailable
	case rt.Unregistered:
		return codes.Unimplemented
	case rt.Invalid:
		return codes.InvalidArgument
	}
	panic(fmt.Sprintf("grpcserve: unknown failure kind %d", k))
}

// Codec is the server's gRPC codec: r2go's messages are already encoded
// ([]byte out, *[]byte in) and pass through; any other value goes to the
// registered "proto" codec. Its name is "proto", the content subtype every
// gRPC client uses by default.
type Codec struct{}

// Marshal passes a []byte through, or encodes v with the proto codec.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	if b, ok := v.([]byte); ok {
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	return encoding.GetCodecV2("proto").Marshal(v)
}

// Unmarshal copies data into a *[]byte, or decodes it with the proto codec.
func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	if p, ok := v.(*[]byte); ok {
		*p = data.Materialize()
		return nil
	}
	return encoding.GetCodecV2("proto").Unmarshal(data, v)
}

// Name is "proto".
func (Codec) Name() string { return "proto" }
