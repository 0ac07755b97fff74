// Package bench holds the handlers of the bench interface: the c-archive of
// the r2go peer (bench/r2go/handlers) links them with the floor's exports,
// and the gRPC server (bench/r2go/server) serves the same ones.
package bench

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"r2go.dev/r2go/bench/r2go/gen"
	"r2go.dev/r2go/rt"
)

// Register registers a new Handler for r2go's calls and returns it: one
// handler serves r2go and the floor, so they differ only in the bridge.
func Register() *Handler {
	h := New()
	gen.RegisterBench(h)
	return h
}

// Handler implements gen.Bench with handlers that do as little as
// possible: the suite measures the bridge, not the work.
type Handler struct {
	mu   sync.Mutex
	gate chan struct{}
	held atomic.Uint64
}

// New returns a Handler whose Hold calls wait for Release.
func New() *Handler {
	return &Handler{gate: make(chan struct{})}
}

func (b *Handler) Add(x, y int64) int64 { return x + y }

func (b *Handler) Bytes(data []uint8) uint64 { return uint64(len(data)) }

func (b *Handler) BytesView(data rt.BytesView) uint64 { return uint64(data.Len()) }

func (b *Handler) Items(req gen.Items) gen.Items { return req }

func (b *Handler) Echo(ctx context.Context, x uint64) uint64 { return x }

func (b *Handler) Hold(ctx context.Context, x uint64) uint64 {
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

func (b *Handler) Held() uint64 { return b.held.Load() }

func (b *Handler) Release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.gate)
	b.gate = make(chan struct{})
}

func (b *Handler) Count(ctx context.Context, n uint64, out *rt.Sink[uint64]) error {
	for i := range n {
		if err := out.Send(i); err != nil {
			return err
		}
	}
	return nil
}

func (b *Handler) Sum(ctx context.Context, items *rt.Source[uint64]) uint64 {
	var sum, next uint64
	for v, err := range items.All(ctx) {
		if err != nil || v != next {
			return math.MaxUint64
		}
		sum += v
		next++
	}
	return sum
}

// G2rAddLoop calls Rust's Host.Add n times, back to back.
func (b *Handler) G2rAddLoop(n uint64) int64 {
	var sum int64
	for i := range n {
		v, err := gen.Host.Add(int64(i), 1)
		if err != nil {
			panic(err)
		}
		sum += v
	}
	return sum
}

// G2rEchoLoop awaits Rust's Host.Echo (or EchoTask) n times from tasks
// goroutines.
func (b *Handler) G2rEchoLoop(ctx context.Context, n uint64, tasks uint32, yielding bool) uint64 {
	echo := gen.Host.Echo
	if yielding {
		echo = gen.Host.EchoTask
	}
	var (
		wg  sync.WaitGroup
		sum atomic.Uint64
	)
	for t := range uint64(tasks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local uint64
			for i := t; i < n; i += uint64(tasks) {
				v, err := echo(ctx, i)
				if err != nil {
					panic(err)
				}
				local += v
			}
			sum.Add(local)
		}()
	}
	wg.Wait()
	return sum.Load()
}
