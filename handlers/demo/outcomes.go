package demo

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"r2go.dev/r2go/gen"
)

// outcomes implements gen.Outcomes: every way a handler can fail.
type outcomes struct{}

func (outcomes) Divide(n, d int64) (int64, error) {
	if n == 13 {
		panic("unlucky 13")
	}
	if d == 0 {
		return 0, errors.New("division by zero")
	}
	return n / d, nil
}

func (outcomes) Lookup(id uint32) (gen.DemoUser, error) {
	switch {
	case id == 0:
		return gen.DemoUser{Name: "root", Age: 42}, nil
	case id == 13:
		panic(fmt.Sprintf("lookup %d", id))
	case id < 100:
		return gen.DemoUser{}, gen.DemoError{Code: id, Message: "not found", Typed: true}
	case id < 200:
		return gen.DemoUser{}, fmt.Errorf("lookup %d: %w", id, &gen.DemoError{Code: id, Message: "wrapped", Typed: true})
	}
	return gen.DemoUser{}, fmt.Errorf("lookup %d: backend unavailable", id)
}

func (outcomes) Check(mode uint8) error {
	switch mode {
	case 1:
		return errors.New("check failed")
	case 2:
		panic("check panicked")
	}
	return nil
}

func (outcomes) Work(ctx context.Context, op uint8, n uint64) (uint64, error) {
	switch op {
	case 1:
		return 0, fmt.Errorf("odd %d", n)
	case 2:
		panic(fmt.Sprintf("panic %d", n))
	case 3:
		select {
		case <-time.After(time.Duration(n%7) * time.Millisecond):
		case <-ctx.Done():
		}
	}
	return n*2 + 1, nil
}

func (outcomes) HoldSync(ms uint32) uint32 {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return ms
}

func (o outcomes) LookupAsync(ctx context.Context, id uint32) (gen.DemoUser, error) {
	return o.Lookup(id)
}

func (outcomes) Hold(ctx context.Context, ms uint32) (bool, error) {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return false, nil
	case <-ctx.Done():
		return true, nil
	}
}

// limited implements gen.Limited; it is registered with rt.MaxConcurrent(3).
type limited struct {
	running, peak atomic.Uint32
}

func (l *limited) Busy(ctx context.Context, ms uint32) uint32 {
	n := l.running.Add(1)
	defer l.running.Add(^uint32(0))
	for {
		p := l.peak.Load()
		if n <= p || l.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return n
}

func (l *limited) Peak() uint32 { return l.peak.Load() }

func (l *limited) BusyGoexit(ctx context.Context, ms uint32) uint32 {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	runtime.Goexit()
	return 0
}

func (outcomes) Guard(kind uint8) (uint8, error) {
	switch kind {
	case 1:
		return 0, gen.DemoFaultTimeout{}
	case 2:
		return 0, fmt.Errorf("guard: %w", &gen.DemoFaultDenied{Reason: "no badge"})
	case 3:
		return 0, errors.New("guard offline")
	case 4:
		panic("guard panicked")
	}
	return 0, nil
}

func (outcomes) Status(ctx context.Context, kind uint8) error {
	switch kind {
	case 1:
		return gen.DemoCodeBusy
	case 2:
		return fmt.Errorf("status: %w", gen.DemoCodeGone)
	case 3:
		return errors.New("status unknown")
	}
	return nil
}
