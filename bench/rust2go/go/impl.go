package main

import (
	"sync"
	"sync/atomic"
)

// The handlers of the Rust2Go peer: the same trivial work as bench/r2go's,
// so the suite measures the bridge.

func init() {
	CgoBenchImpl = &bench{gate: make(chan struct{})}
	ShmBenchImpl = shm{CgoBenchImpl.(*bench)}
}

// shm serves ShmBench, whose results are structs.
type shm struct{ b *bench }

func (s shm) echo(x *uint64) Num { return Num{v: s.b.echo(x)} }

func (s shm) hold(x *uint64) Num { return Num{v: s.b.hold(x)} }

type bench struct {
	mu      sync.Mutex
	gate    chan struct{}
	blocked atomic.Uint64
}

func (b *bench) add(x, y *int64) int64 { return *x + *y }

func (b *bench) bytes(data *[]uint8) uint64 { return uint64(len(*data)) }

func (b *bench) items(req *Items) Items { return *req }

func (b *bench) echo(x *uint64) uint64 { return *x }

func (b *bench) hold(x *uint64) uint64 {
	b.mu.Lock()
	gate := b.gate
	b.mu.Unlock()
	b.blocked.Add(1)
	defer b.blocked.Add(^uint64(0))
	<-gate
	return *x
}

func (b *bench) held() uint64 { return b.blocked.Load() }

func (b *bench) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.gate)
	b.gate = make(chan struct{})
}

// g2r_add_loop (Rust2Go keeps the Rust name) calls Rust's G2rBench.add(i, 1) for i in 0..n.
func (b *bench) g2r_add_loop(n uint64) int64 {
	var sum int64
	one := int64(1)
	for i := range int64(n) {
		sum += G2rBenchImpl{}.add(&i, &one)
	}
	return sum
}
