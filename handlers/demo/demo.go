package demo

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"r2go.dev/r2go/gen"
)

// demo implements gen.DemoCall.
type demo struct {
	mu            sync.Mutex
	last          gen.DemoUser
	cancellations atomic.Uint64
}

func (d *demo) DemoOneway(user gen.DemoUser) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = user
}

func (d *demo) LastUser() gen.DemoUser {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last
}

func (d *demo) DemoCheck(req gen.DemoComplicatedRequest) gen.DemoResponse {
	pass := len(req.Users) > 0 && len(req.Balabala) > 0
	for _, u := range req.Users {
		pass = pass && u.Age >= 18
	}
	return gen.DemoResponse{Pass: pass}
}

func (d *demo) DemoCheckAsync(ctx context.Context, req gen.DemoComplicatedRequest) gen.DemoResponse {
	return d.DemoCheck(req)
}

func (d *demo) Add(a, b int64) int64 { return a + b }

func (d *demo) Bump(s gen.Scalars) gen.Scalars { return bump(s) }

func (d *demo) Greet(user gen.DemoUser, greeting string) string {
	return greeting + ", " + user.Name + "!"
}

func (d *demo) Mirror(n gen.Nested) gen.Nested { return mirror(n) }

func (d *demo) MirrorAsync(ctx context.Context, n gen.Nested) gen.Nested { return mirror(n) }

func (d *demo) SleepEcho(ctx context.Context, ms uint32, tag uint64) uint64 {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return tag
}

func (d *demo) NonNegative(n int64) int64 {
	if n < 0 {
		panic(fmt.Sprintf("non_negative: %d is negative", n))
	}
	return n
}

func (d *demo) PanicAsync(ctx context.Context, message string) uint8 {
	panic(message)
}

func (d *demo) WaitForCancel(ctx context.Context, maxMS uint32) bool {
	select {
	case <-ctx.Done():
		d.cancellations.Add(1)
		return true
	case <-time.After(time.Duration(maxMS) * time.Millisecond):
		return false
	}
}

func (d *demo) Cancellations() uint64 { return d.cancellations.Load() }

func (d *demo) GoExperiment() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOEXPERIMENT" {
				return s.Value
			}
		}
	}
	return ""
}

func bump(s gen.Scalars) gen.Scalars {
	return gen.Scalars{
		Flag: !s.Flag, Tiny: s.Tiny + 1, Small: s.Small + 1, Medium: s.Medium + 1,
		Large: s.Large + 1, Word: s.Word + 1, Utiny: s.Utiny + 1, Usmall: s.Usmall + 1,
		Umedium: s.Umedium + 1, Ularge: s.Ularge + 1, Uword: s.Uword + 1,
		Single: s.Single * 2, Double: s.Double * 2,
	}
}

func reversed[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = f(v)
	}
	return out
}

func same[T any](v T) T { return v }

func reverseString(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

func mirrorUser(u gen.DemoUser) gen.DemoUser {
	return gen.DemoUser{Name: reverseString(u.Name), Age: u.Age + 1}
}

func mirror(n gen.Nested) gen.Nested {
	return gen.Nested{
		Owner:   mirrorUser(n.Owner),
		Matrix:  reversed(n.Matrix, func(row []uint8) []uint8 { return reversed(row, same) }),
		Names:   reversed(n.Names, reverseString),
		Groups:  reversed(n.Groups, func(g []gen.DemoUser) []gen.DemoUser { return reversed(g, mirrorUser) }),
		Samples: reversed(n.Samples, bump),
		Deep: reversed(n.Deep, func(a [][]string) [][]string {
			return reversed(a, func(b []string) []string { return reversed(b, reverseString) })
		}),
		Values: reversed(n.Values, func(v float64) float64 { return -v }),
	}
}
