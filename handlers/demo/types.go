package demo

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"unicode"

	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

// types implements gen.TypesCall: round trips of every type the bridge
// passes beyond scalars, strings, vectors and structs.
type types struct {
	colorsSeen atomic.Uint64
}

func (*types) EchoAll(v gen.AllTypes) gen.AllTypes { return v }

func (*types) EchoAllAsync(ctx context.Context, v gen.AllTypes) gen.AllTypes { return v }

func (*types) EchoTree(t gen.TreeNode) gen.TreeNode { return t }

// The views the last CloneViews call got, kept (wrongly) past its return.
var keptViews struct {
	mu sync.Mutex
	s  rt.StringView
	b  rt.BytesView
}

func (*types) CloneViews(s rt.StringView, b rt.BytesView) gen.TupleStringVecU8 {
	keptViews.mu.Lock()
	keptViews.s, keptViews.b = s, b
	keptViews.mu.Unlock()
	return gen.TupleStringVecU8{F0: s.Clone(), F1: b.Clone()}
}

// UseKeptViews reads a kept view (0: the string, 1: the bytes): it panics,
// since the call that lent it has returned.
func (*types) UseKeptViews(which uint8) uint64 {
	keptViews.mu.Lock()
	defer keptViews.mu.Unlock()
	if which == 0 {
		return uint64(len(keptViews.s.View()))
	}
	return uint64(len(keptViews.b.Bytes()))
}

func (*types) EchoBorrowed(s string, b []uint8, chars []rune) gen.TupleStringVecU8VecChar {
	return gen.TupleStringVecU8VecChar{F0: s, F1: b, F2: chars}
}

// area switches over every variant of the sealed interface.
func (t *types) Area(s gen.Shape) float64 {
	switch s := s.(type) {
	case gen.ShapeCircle:
		return 3 * s.F0 * s.F0
	case gen.ShapeRect:
		return s.Width * s.Height
	case gen.ShapeGroup:
		sum := 0.0
		for _, x := range s.F0 {
			sum += t.Area(x)
		}
		return sum
	case gen.ShapeLabeled:
		return t.Area(s.Inner)
	case gen.ShapeNothing:
		return 0
	}
	panic("unknown shape")
}

func (*types) NextColor(c gen.Color) gen.Color {
	switch c {
	case gen.ColorRed:
		return gen.ColorGreen
	case gen.ColorGreen:
		return gen.ColorBlue
	}
	return gen.ColorRed
}

func (*types) ColorName(c gen.Color) string { return c.String() }

func (*types) ColorOf(n int32) gen.Color { return gen.Color(n) }

func (*types) Upper(c rune) rune { return unicode.ToUpper(c) }

func (*types) Rune(n int32) rune { return rune(n) }

func (*types) Double(v *uint32) *uint32 {
	if v == nil {
		return nil
	}
	d := *v * 2
	return &d
}

func (*types) Swap(p gen.TupleU8String) gen.TupleStringU8 {
	return gen.TupleStringU8{F0: p.F1, F1: p.F0}
}

func (*types) Reverse(a [4]uint16) [4]uint16 {
	slices.Reverse(a[:])
	return a
}

func (*types) Invert(m map[string]uint32) map[uint32]string {
	out := make(map[uint32]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

func (t *types) NoteColor(c gen.Color) { t.colorsSeen.Add(1) }

func (t *types) ColorsSeen() uint64 { return t.colorsSeen.Load() }

func (*types) CircleByPointer(radius float64) gen.Shape { return &gen.ShapeCircle{F0: radius} }

func (*types) NilShape() gen.Shape { return nil }
