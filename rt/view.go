package rt

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Views of Rust memory, for the parameters a sync method borrows
// (#[borrow(name)] in user.rs): the handler reads Rust's bytes where they
// are, without the copy Go makes of other arguments.
//
// The rule: a view, and any slice or string it returns, is valid only until
// the handler returns; Rust may free or change the memory after that. To
// keep the data, Clone it. Go cannot enforce this, so a view does what it
// can: it stops working when its call ends, and every method of a view used
// after that panics, instead of reading memory that is no longer lent. A
// slice or string the handler took from it, and kept, is not checked: that
// is the part of the rule only the handler can keep. The memory is Rust's
// and read-only: never write through Bytes.

// viewScope tells a view whether its call still runs: ending a call bumps
// gen, so every view made before reads as ended, even once the scope is
// reused by another call.
type viewScope struct{ gen atomic.Uint64 }

var viewScopes = sync.Pool{New: func() any { return new(viewScope) }}

// view is what both kinds of view hold: Rust's pointer and length, and the
// scope and generation of the call that lent them.
type view struct {
	ptr   *byte
	n     int
	scope *viewScope
	gen   uint64
}

func newView(ptr *byte, n uintptr) view {
	s := viewScopes.Get().(*viewScope)
	return view{ptr: ptr, n: int(n), scope: s, gen: s.gen.Load()}
}

// bytes is the lent memory, after checking that the call still runs. The
// zero view is empty and always valid.
func (v *view) bytes(kind string) []byte {
	if v.scope == nil || v.n == 0 {
		return nil
	}
	if v.scope.gen.Load() != v.gen {
		panic("r2go: a " + kind + " was used after the call that lent it returned; Clone it inside the handler to keep the data")
	}
	return unsafe.Slice(v.ptr, v.n)
}

// end ends the view's call; ending it again does nothing (the scope goes
// back to the pool once, so no two calls share it).
func (v *view) end() {
	if v.scope != nil && v.scope.gen.CompareAndSwap(v.gen, v.gen+1) {
		viewScopes.Put(v.scope)
	}
}

// BytesView is a Rust `&[u8]` lent to a sync handler for the duration of the
// call, without a copy. See the rule above: valid until the handler returns;
// Clone to keep.
type BytesView struct{ v view }

// Len is the number of bytes.
func (b BytesView) Len() int { return b.v.n }

// Bytes is Rust's memory as a slice, valid until the handler returns (nil
// when empty). Read it only: the memory belongs to a Rust `&[u8]`. It
// panics once the call has returned.
func (b BytesView) Bytes() []byte { return b.v.bytes("BytesView") }

// Clone copies the bytes into Go memory, which the handler may keep (nil
// when empty). It panics once the call has returned.
func (b BytesView) Clone() []byte {
	s := b.v.bytes("BytesView")
	if s == nil {
		return nil
	}
	return append([]byte(nil), s...)
}

// StringView is a Rust `&str` lent to a sync handler for the duration of
// the call, without a copy. See the rule above: valid until the handler
// returns; Clone (or String) to keep.
type StringView struct{ v view }

// Len is the length in bytes.
func (s StringView) Len() int { return s.v.n }

// View is Rust's string as a Go string, valid until the handler returns:
// do not keep it, or anything that shares its memory (a substring, a map
// key). It panics once the call has returned.
func (s StringView) View() string {
	b := s.v.bytes("StringView")
	if b == nil {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Clone copies the string into Go memory, which the handler may keep. It
// panics once the call has returned.
func (s StringView) Clone() string { return string(s.v.bytes("StringView")) }

// String is Clone, so that printing a view never shares Rust's memory.
func (s StringView) String() string { return s.Clone() }

// BorrowBytesView makes the view of a lent `&[u8]`; generated code ends it
// with EndBytesView when the handler returns.
func BorrowBytesView(r *ListRef) BytesView { return BytesView{newView((*byte)(r.Ptr), r.Len)} }

// EndBytesView ends a view made by BorrowBytesView: later uses panic.
func EndBytesView(b BytesView) { b.v.end() }

// BorrowStringView makes the view of a lent `&str`; generated code ends it
// with EndStringView when the handler returns.
func BorrowStringView(r *StrRef) StringView { return StringView{newView(r.Ptr, r.Len)} }

// EndStringView ends a view made by BorrowStringView: later uses panic.
func EndStringView(s StringView) { s.v.end() }

// ViewOfBytes returns a view of b, a served call's own copy of the
// argument, so that a handler taking a view behaves as in process: the
// view stops working once EndBytesView ends it, when the handler returns.
func ViewOfBytes(b []byte) BytesView {
	return BytesView{newView(unsafe.SliceData(b), uintptr(len(b)))}
}

// ViewOfString is ViewOfBytes for a StringView.
func ViewOfString(s string) StringView {
	return StringView{newView(unsafe.StringData(s), uintptr(len(s)))}
}
