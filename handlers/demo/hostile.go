package demo

import (
	"context"
	"errors"
	"os"
	"runtime"
	"time"

	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

// hostile implements gen.Hostile: handlers that end their calls in every
// way Go allows, and values the runtime must refuse without crashing.
type hostile struct{}

// chain builds max(n, 1) nodes linked through Next, iteratively: the
// values themselves may be deeper than any recursion should go.
func chain(n uint32) gen.TreeNode {
	var next *gen.TreeNode
	for i := int64(n) - 1; i > 0; i-- {
		next = &gen.TreeNode{Value: i, Next: next}
	}
	return gen.TreeNode{Value: 0, Next: next}
}

func chainLen(t *gen.TreeNode) uint32 {
	n := uint32(0)
	for ; t != nil; t = t.Next {
		n++
	}
	return n
}

func (hostile) Chain(n uint32) gen.TreeNode { return chain(n) }

func (hostile) ChainAsync(ctx context.Context, n uint32) gen.TreeNode { return chain(n) }

func (hostile) ChainResult(n uint32) (gen.TreeNode, error) { return chain(n), nil }

func (hostile) ChainResultAsync(ctx context.Context, n uint32) (gen.TreeNode, error) {
	return chain(n), nil
}

func (hostile) ChainLen(t gen.TreeNode) uint32 { return chainLen(&t) }

func (hostile) ChainLenResult(t gen.TreeNode) (uint32, error) { return chainLen(&t), nil }

func (hostile) ChainLenAsync(ctx context.Context, t gen.TreeNode) uint32 { return chainLen(&t) }

func (hostile) Cycle() (gen.TreeNode, error) {
	n := &gen.TreeNode{Value: 1}
	n.Next = n
	return *n, nil
}

func (hostile) Fragile(ctx context.Context, ms uint32, id uint64) gen.Fragile {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return gen.Fragile{ID: id}
}

func (hostile) FragileThenInvalid(id uint64) gen.TupleFragileChar {
	return gen.TupleFragileChar{F0: gen.Fragile{ID: id}, F1: 0xD800}
}

func (h hostile) FragileThenInvalidAsync(ctx context.Context, id uint64) gen.TupleFragileChar {
	return h.FragileThenInvalid(id)
}

func (hostile) Goexit(ctx context.Context, ms uint32) uint64 {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	runtime.Goexit()
	return 1
}

func (hostile) GoexitResult(ctx context.Context, ms uint32) (uint64, error) {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	runtime.Goexit()
	return 1, nil
}

func (hostile) GoexitSync() uint64 {
	runtime.Goexit()
	return 1
}

func (hostile) NilPanic() uint64 { panic(nil) }

func (hostile) NilPanicOneway() { panic(nil) }

func (hostile) NilPanicResult() (uint64, error) { panic(nil) }

func (hostile) NilPanicAsync(ctx context.Context) uint64 { panic(nil) }

func (hostile) NilPanicResultAsync(ctx context.Context) (uint64, error) { panic(nil) }

func badUser() gen.DemoUser { return gen.DemoUser{Name: "ok\xff", Age: 1} }

func (hostile) BadUTF8() gen.DemoUser { return badUser() }

func (hostile) BadUTF8Result() (gen.DemoUser, error) { return badUser(), nil }

func (hostile) BadUTF8ResultAsync(ctx context.Context) (gen.DemoUser, error) {
	return badUser(), nil
}

func (hostile) BadUTF8Error() error { return errors.New("bad \xff error") }

func (hostile) BadUTF8Panic() error { panic("bad \xfe panic") }

func shutdownText() string {
	if err := rt.Shutdown(context.Background()); err != nil {
		return err.Error()
	}
	return ""
}

func (hostile) ShutdownInside() string { return shutdownText() }

func (hostile) ShutdownInsideAsync(ctx context.Context) string { return shutdownText() }

func (hostile) Empty(e gen.Empty) gen.Empty { return e }

func (hostile) MaybeEmpty(e *gen.Empty, one gen.TupleEmpty) *gen.Empty { return e }

func (hostile) PanicInGoroutine() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		panic("a goroutine the handler started panicked")
	}()
	<-done
}

func (hostile) Exit(code int32) { os.Exit(int(code)) }
