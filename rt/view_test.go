package rt_test

import (
	"strings"
	"testing"
	"unsafe"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/internal/fakerust"
)

// panicText runs f and returns what it panicked with ("" if it returned).
func panicText(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = r.(string)
		}
	}()
	f()
	return ""
}

func TestViewsReadRustMemoryUntilTheCallEnds(t *testing.T) {
	p, free := fakerust.CBytes([]byte("lent bytes"))
	defer free()
	b := rt.BorrowBytesView(&rt.ListRef{Ptr: p, Len: 10})
	s := rt.BorrowStringView(&rt.StrRef{Ptr: (*byte)(p), Len: 4})
	if b.Len() != 10 || string(b.Bytes()) != "lent bytes" || s.Len() != 4 || s.View() != "lent" {
		t.Fatalf("views read %d %q, %d %q", b.Len(), b.Bytes(), s.Len(), s.View())
	}
	if &b.Bytes()[0] != (*byte)(p) {
		t.Error("Bytes copied the memory instead of viewing it")
	}
	kept, keptString := b.Clone(), s.Clone()
	rt.EndBytesView(b)
	rt.EndStringView(s)
	rt.EndBytesView(b)                               // again: nothing happens
	copy(unsafe.Slice((*byte)(p), 10), "XXXXXXXXXX") // Rust reuses its memory
	if string(kept) != "lent bytes" || keptString != "lent" {
		t.Errorf("clones changed with Rust's memory: %q %q", kept, keptString)
	}
	for name, use := range map[string]func(){
		"Bytes":  func() { b.Bytes() },
		"Clone":  func() { b.Clone() },
		"View":   func() { _ = s.View() },
		"String": func() { _ = s.String() },
	} {
		if msg := panicText(use); !strings.Contains(msg, "used after the call that lent it returned") {
			t.Errorf("%s after the call: panic %q", name, msg)
		}
	}
	// A scope reused by a later call does not revive the ended views.
	later := rt.BorrowBytesView(&rt.ListRef{Ptr: p, Len: 10})
	if msg := panicText(func() { b.Bytes() }); msg == "" {
		t.Error("an ended view works again while a later call runs")
	}
	if string(later.Bytes()) != "XXXXXXXXXX" {
		t.Errorf("later view reads %q", later.Bytes())
	}
	rt.EndBytesView(later)
	var zero rt.BytesView
	if zero.Len() != 0 || zero.Bytes() != nil || zero.Clone() != nil {
		t.Error("the zero BytesView is not empty")
	}
}
