package rt

import "C"

import (
	"context"
	"sync"
	"unsafe"
)

// r2go1_rt_cancel is reached by Rust through the slot header (never by
// name), so bridges in one binary cannot clash on it.
//
//export r2go1_rt_cancel
func r2go1_rt_cancel(slot unsafe.Pointer) {
	cancelCall(slot)
}

// cancelRegistry maps the slot of each running async call whose handler
// looked at its context to the function that cancels it. It is a plain map
// per shard under a mutex: a sync.Map's nodes cost a blocked call more heap,
// and its deeper Store grew the handler goroutine's stack past its first
// 2 KiB, which then stays for the whole call (measured by
// TestBlockedCallMemory).
type cancelRegistry struct {
	shards [16]cancelShard
}

type cancelShard struct {
	mu sync.Mutex
	m  map[unsafe.Pointer]context.CancelFunc
	_  [40]byte // one shard per cache line
}

func (r *cancelRegistry) shard(slot unsafe.Pointer) *cancelShard {
	// Slots are at least 8-byte aligned; mix in higher bits too.
	p := uintptr(slot)
	return &r.shards[(p>>3^p>>7^p>>11)%uintptr(len(r.shards))]
}

func (r *cancelRegistry) store(slot unsafe.Pointer, cancel context.CancelFunc) {
	s := r.shard(slot)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[unsafe.Pointer]context.CancelFunc)
	}
	s.m[slot] = cancel
	s.mu.Unlock()
}

func (r *cancelRegistry) take(slot unsafe.Pointer) context.CancelFunc {
	s := r.shard(slot)
	s.mu.Lock()
	c := s.m[slot]
	delete(s.m, slot)
	s.mu.Unlock()
	return c
}

// all returns every registered cancel function, for Shutdown.
func (r *cancelRegistry) all() []context.CancelFunc {
	var fns []context.CancelFunc
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, c := range s.m {
			fns = append(fns, c)
		}
		s.mu.Unlock()
	}
	return fns
}

func (r *cancelRegistry) len() int64 {
	var n int64
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n += int64(len(s.m))
		s.mu.Unlock()
	}
	return n
}
