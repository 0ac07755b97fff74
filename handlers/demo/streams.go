package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

// streams implements gen.Streams: handlers that send items to Rust.
type streams struct{}

var (
	// sentByTag counts the items each endless stream has sent.
	sentByTag sync.Map // uint64 -> *atomic.Uint64
	// streamCancellations counts the handlers whose Send failed with their
	// context cancelled.
	streamCancellations atomic.Uint64
)

func sentCounter(tag uint64) *atomic.Uint64 {
	c, _ := sentByTag.LoadOrStore(tag, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// sendFailed checks what a failing Send promises: the error wraps
// rt.ErrStreamClosed and the context is cancelled.
func sendFailed(ctx context.Context, err error) error {
	if !errors.Is(err, rt.ErrStreamClosed) || ctx.Err() == nil {
		return fmt.Errorf("send failed with %v while the context is %v", err, ctx.Err())
	}
	streamCancellations.Add(1)
	return err
}

func (streams) Count(ctx context.Context, n uint64, out *rt.Sink[uint64]) error {
	for i := range n {
		if err := out.Send(i); err != nil {
			return sendFailed(ctx, err)
		}
	}
	return nil
}

// end finishes users and numbers as mode says.
func end(n uint32, mode uint8) error {
	switch mode {
	case 1:
		return fmt.Errorf("failed after %d", n)
	case 2:
		panic(fmt.Sprintf("panic after %d", n))
	case 3:
		return &gen.DemoError{Code: n, Message: "typed", Typed: true}
	}
	return nil
}

func (streams) Users(ctx context.Context, n uint32, mode uint8, out *rt.Sink[gen.DemoUser]) error {
	for i := range n {
		if err := out.Send(gen.DemoUser{Name: fmt.Sprintf("user %d", i), Age: uint8(i % 100)}); err != nil {
			return sendFailed(ctx, err)
		}
	}
	return end(n, mode)
}

func (streams) Numbers(ctx context.Context, n uint32, mode uint8, out *rt.Sink[uint32]) error {
	for i := range n {
		if err := out.Send(i); err != nil {
			return sendFailed(ctx, err)
		}
	}
	return end(n, mode)
}

func (streams) Endless(ctx context.Context, tag uint64, out *rt.Sink[uint64]) error {
	sent := sentCounter(tag)
	for i := uint64(0); ; i++ {
		if err := out.Send(i); err != nil {
			return sendFailed(ctx, err)
		}
		sent.Add(1)
	}
}

func (streams) HoldOpen(ctx context.Context, out *rt.Sink[uint8]) error {
	if err := out.Send(7); err != nil {
		return sendFailed(ctx, err)
	}
	<-ctx.Done()
	return ctx.Err()
}

func (streams) Sent(tag uint64) uint64 { return sentCounter(tag).Load() }

func (streams) Walk(ctx context.Context, t gen.TreeNode, out *rt.Sink[int64]) error {
	for n := &t; n != nil; n = n.Next {
		if err := out.Send(n.Value); err != nil {
			return err
		}
	}
	return nil
}

func (streams) StreamCancellations() uint64 { return streamCancellations.Load() }
