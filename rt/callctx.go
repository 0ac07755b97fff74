package rt

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// callContext is the context of an async handler. Most handlers never look
// at it, so it costs nothing until one does (Done, Err, or Value once made):
// only then is a cancellable context made and offered to Rust for
// cancellation. It is cancelled when Rust drops the call, when a Shutdown
// deadline passes, and once the call has finished.
type callContext struct {
	// made is the context once made; it is never replaced.
	made atomic.Pointer[madeContext]
	// state orders making the context against finishing the call, which
	// releases the slot: ctxIdle, ctxMaking, ctxMade or ctxFinished.
	state atomic.Uint32
	// mu is held while the context is made, and by a finish that finds it
	// being made.
	mu   sync.Mutex
	slot unsafe.Pointer
}

type madeContext struct {
	ctx    context.Context
	cancel context.CancelFunc
}

const (
	ctxIdle     = iota // no context yet, the call runs
	ctxMaking          // a context is being made, under mu
	ctxMade            // made and offered to Rust
	ctxFinished        // the call has finished: the slot is not Go's any more
)

var _ context.Context = (*callContext)(nil)

// Deadline: an async call has none of its own.
func (c *callContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done makes the context, if needed, and returns its channel.
func (c *callContext) Done() <-chan struct{} { return c.context().Done() }

// Err makes the context, if needed, and returns its error.
func (c *callContext) Err() error { return c.context().Err() }

// Value holds no values of its own; once the context is made it answers
// what a cancellable context does, so contexts derived from this one join
// it without a goroutine of their own.
func (c *callContext) Value(key any) any {
	if m := c.made.Load(); m != nil {
		return m.ctx.Value(key)
	}
	return nil
}

func (c *callContext) String() string { return "r2go async call context" }

// context returns the made context, making it on first use.
func (c *callContext) context() context.Context {
	if m := c.made.Load(); m != nil {
		return m.ctx
	}
	return c.make()
}

func (c *callContext) make() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.made.Load(); m != nil {
		return m.ctx
	}
	ctx, cancel := context.WithCancel(context.Background())
	if c.state.CompareAndSwap(ctxIdle, ctxMaking) {
		// The slot is still Go's: finish waits for mu before releasing it.
		offerCancel(c.slot, cancel)
		c.made.Store(&madeContext{ctx, cancel})
		c.state.Store(ctxMade)
		return ctx
	}
	// Made after the call finished (by a goroutine the handler left behind):
	// it starts cancelled, as a made one would be by now.
	cancel()
	c.made.Store(&madeContext{ctx, cancel})
	return ctx
}

// finish cancels the context, if it was made, and forgets the slot's
// registration. After it returns, nothing here touches the slot again.
func (c *callContext) finish() {
	if c.state.CompareAndSwap(ctxIdle, ctxFinished) {
		return // never made: nothing offered, nothing to cancel
	}
	// Being made or made: wait for a maker to finish with the slot.
	c.mu.Lock()
	c.state.Store(ctxFinished)
	m := c.made.Load()
	c.mu.Unlock()
	cancels.take(c.slot)
	m.cancel()
}
