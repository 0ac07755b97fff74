package demo

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

// uploads implements gen.Uploads: handlers that read streams from Rust.
type uploads struct{}

var (
	// consumedByTag counts the items each tagged handler has read.
	consumedByTag sync.Map // uint64 -> *atomic.Uint64
	// endedByTag holds how each tagged handler's source ended.
	endedByTag sync.Map // uint64 -> string
)

func consumedCounter(tag uint64) *atomic.Uint64 {
	c, _ := consumedByTag.LoadOrStore(tag, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

func (uploads) Sum(ctx context.Context, items *rt.Source[uint64]) (gen.UploadSummary, error) {
	var s gen.UploadSummary
	for v, err := range items.All(ctx) {
		if err != nil {
			return s, err
		}
		if v != s.Count {
			return s, fmt.Errorf("item %d is %d", s.Count, v)
		}
		s.Count++
		s.Sum += v
	}
	return s, nil
}

func (uploads) Take(ctx context.Context, tag uint64, items *rt.Source[uint64], n uint64, delayUs uint32) uint64 {
	consumed := consumedCounter(tag)
	var read uint64
	for read < n {
		if _, ok, err := items.Next(ctx); !ok || err != nil {
			break
		}
		read++
		consumed.Add(1)
		if delayUs > 0 {
			time.Sleep(time.Duration(delayUs) * time.Microsecond)
		}
	}
	return read
}

func (uploads) Hold(ctx context.Context, tag uint64, items *rt.Source[uint64]) (uint64, error) {
	consumed := consumedCounter(tag)
	var read uint64
	for {
		// Background, not ctx: the source itself must fail once Rust drops
		// the call or the Go side shuts down.
		_, ok, err := items.Next(context.Background())
		if !ok || err != nil {
			end := "end"
			if err != nil {
				end = err.Error()
			}
			if ctx.Err() != nil {
				end += " (cancelled)"
			}
			endedByTag.Store(tag, end)
			return read, err
		}
		read++
		consumed.Add(1)
	}
}

func (uploads) Names(ctx context.Context, items *rt.Source[gen.DemoUser]) ([]string, error) {
	var names []string
	for u, err := range items.All(ctx) {
		if err != nil {
			return names, err
		}
		names = append(names, u.Name)
	}
	return names, nil
}

func (uploads) Trees(ctx context.Context, items *rt.Source[gen.TreeNode]) (uint64, error) {
	var n uint64
	for _, err := range items.All(ctx) {
		if err != nil {
			return n, fmt.Errorf("after %d trees: %w", n, err)
		}
		n++
	}
	return n, nil
}

func (uploads) Consumed(tag uint64) uint64 { return consumedCounter(tag).Load() }

func (uploads) Ended(tag uint64) string {
	if v, ok := endedByTag.Load(tag); ok {
		return v.(string)
	}
	return ""
}
