package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"r2go.dev/r2go/gen"
)

// goSide implements gen.GoSide: handlers that call Rust (gen.RustSide)
// while Rust calls them.
type goSide struct{}

// addViaRust calls a sync and an async Rust method.
func addViaRust(ctx context.Context, a, b int64) (int64, error) {
	sum, err := gen.RustSide.Add(a, b)
	if err != nil {
		return 0, err
	}
	echo, err := gen.RustSide.SleepEcho(ctx, 0, uint64(sum))
	return int64(echo), err
}

func (goSide) AddViaRust(a, b int64) (int64, error) {
	return addViaRust(context.Background(), a, b)
}

func (goSide) AddViaRustAsync(ctx context.Context, a, b int64) (int64, error) {
	first, err := addViaRust(ctx, a, b)
	if err != nil {
		return 0, err
	}
	// Once more from a goroutine of the handler's own.
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := addViaRust(ctx, a, b)
		done <- result{n, err}
	}()
	r := <-done
	if r.err != nil {
		return 0, r.err
	}
	if r.n != first {
		return 0, fmt.Errorf("the goroutine got %d, the handler %d", r.n, first)
	}
	return r.n, nil
}

func (goSide) EchoViaRust(v gen.AllTypes) (gen.TupleAllTypesAllTypes, error) {
	viaSync, err := gen.RustSide.EchoAll(v)
	if err != nil {
		return gen.TupleAllTypesAllTypes{}, err
	}
	viaAsync, err := gen.RustSide.EchoAllAsync(context.Background(), 1, v)
	return gen.TupleAllTypesAllTypes{F0: viaSync, F1: viaAsync}, err
}

func (goSide) GreetViaRust(user gen.DemoUser, greeting string) (string, error) {
	return gen.RustSide.Greet(user, greeting)
}

// describe is what Outcome returns for a value and an error.
func describe(v any, err error) string {
	if err != nil {
		return fmt.Sprintf("err %T: %v", err, err)
	}
	return fmt.Sprintf("ok %+v", v)
}

func (goSide) Outcome(op uint8, n int64) string {
	ctx := context.Background()
	switch op {
	case 0:
		return describe(gen.RustSide.Divide(n, 0))
	case 1:
		return describe(gen.RustSide.Divide(n, 2))
	case 2:
		return describe(gen.RustSide.Lookup(uint32(n)))
	case 3:
		return describe(gen.RustSide.LookupAsync(ctx, uint32(n)))
	case 4:
		return describe(gen.RustSide.Fault(uint8(n)))
	case 5:
		return describe(gen.RustSide.Boom(fmt.Sprintf("boom %d", n)))
	case 6:
		return describe(gen.RustSide.BoomAsync(ctx, fmt.Sprintf("boom %d", n)))
	case 7:
		return describe(nil, gen.RustSide.Note(uint64(n)))
	case 8:
		return describe(gen.RustSide.Fragile(uint64(n)))
	case 9:
		return describe(gen.RustSide.FragileAsync(ctx, uint64(n)))
	}
	return fmt.Sprintf("unknown op %d", op)
}

func (goSide) FanOut(ctx context.Context, n, ms uint32) (uint32, error) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		good     uint32
		firstErr error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := gen.RustSide.SleepEcho(ctx, ms, uint64(i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && firstErr == nil:
				firstErr = err
			case err == nil && got == uint64(i):
				good++
			}
		}()
	}
	wg.Wait()
	return good, firstErr
}

func (goSide) CancelPending(ctx context.Context, ms uint32, tag uint64) string {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
	defer cancel()
	_, err := gen.RustSide.Pending(ctx, tag)
	return fmt.Sprint(err)
}

func (goSide) DeepViaRust(n uint32) (gen.TupleU32U32, error) {
	t := chain(n)
	viaSync, err := gen.RustSide.EchoTree(t)
	if err != nil {
		return gen.TupleU32U32{}, err
	}
	viaAsync, err := gen.RustSide.EchoTreeAsync(context.Background(), t)
	if err != nil {
		return gen.TupleU32U32{}, err
	}
	return gen.TupleU32U32{F0: chainLen(&viaSync), F1: chainLen(&viaAsync)}, nil
}
