package rt

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"sync/atomic"
	"unsafe"

	"r2go.dev/r2go/rt/abi"
)

// This file holds the readers and encoders of Option, maps, arrays and
// enums. Their borrowed forms and encodings are described in
// docs/adr/0004-the-full-type-system.md and at the top of the Rust wire.rs.

// EnumRef is a Rust data enum lent for the duration of a call: the index of
// its variant and a pointer to the variant's borrowed payload (nil for a
// variant without data).
type EnumRef struct {
	Tag uint32
	Ptr unsafe.Pointer
}

// Pair is one entry of a Rust map lent for the duration of a call.
type Pair[K, V any] struct {
	Key   K
	Value V
}

// ReadScalar copies one lent scalar; it is the reader of scalar elements of
// options and maps.
func ReadScalar[T any](r *T) T { return *r }

// ReadOption copies a lent Option: nil for None, else a pointer to a new Go
// value.
func ReadOption[R, T any](r *R, read func(*R) T) *T {
	if r == nil {
		return nil
	}
	v := read(r)
	return &v
}

// ReadMap copies a lent Rust map into a new Go map (empty, not nil, when the
// Rust map is empty, so handlers can add to it).
func ReadMap[KR, VR any, K comparable, V any](r *ListRef, key func(*KR) K, value func(*VR) V) map[K]V {
	m := make(map[K]V, r.Len)
	if r.Len == 0 {
		return m
	}
	for _, p := range unsafe.Slice((*Pair[KR, VR])(r.Ptr), r.Len) {
		m[key(&p.Key)] = value(&p.Value)
	}
	return m
}

// ReadRaw copies a lent Rust array of raw elements (scalars, char, enums
// without data) into a Go array A of the same length.
func ReadRaw[A any](r *ListRef) (a A) {
	if r.Len > 0 && unsafe.Sizeof(a) > 0 {
		a = *(*A)(r.Ptr)
	}
	return a
}

// AppendTag appends the variant index of a data enum.
func AppendTag(b []byte, tag uint32) []byte {
	return AppendScalar(b, &tag)
}

// AppendOption appends 0 for nil, or 1 and the value encoded by enc.
func AppendOption[T any](b []byte, v **T, enc func([]byte, *T) []byte) []byte {
	if *v == nil {
		return append(b, 0)
	}
	return enc(append(b, 1), *v)
}

// AppendMap appends a count and each key and value. Go's map order is
// random; a BTreeMap orders itself on the Rust side.
func AppendMap[K comparable, V any](b []byte, m *map[K]V, key func([]byte, *K) []byte, value func([]byte, *V) []byte) []byte {
	b = AppendLen(b, len(*m))
	for k, v := range *m {
		b = value(key(b, &k), &v)
	}
	return b
}

// AppendRaw appends the raw elements of an array, without a count (the
// length is part of the type).
func AppendRaw[T Scalar](b []byte, s []T) []byte {
	if len(s) == 0 {
		return b
	}
	return append(b, unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), uintptr(len(s))*unsafe.Sizeof(s[0]))...)
}

// AppendEach appends each element of an array encoded by enc, without a
// count.
func AppendEach[T any](b []byte, s []T, enc func([]byte, *T) []byte) []byte {
	for i := range s {
		b = enc(b, &s[i])
	}
	return b
}

// UnknownTag is the panic of reading a data enum whose tag Go does not know
// (a Rust side generated from a different user.rs).
func UnknownTag(enum string, tag uint32) string {
	return "r2go: unknown variant tag " + strconv.FormatUint(uint64(tag), 10) + " of enum " + enum
}

// NilEnum is the panic of encoding a nil data enum interface: Rust has no
// value for it.
func NilEnum(enum string) string {
	return "r2go: cannot pass a nil " + enum + " to Rust; set one of its variants"
}

// maxDepth is the depth limit of encoded values (see Nest); Rust sets it
// with its own, through r2go1_rt_set_max_depth.
var maxDepth atomic.Int64

func init() { maxDepth.Store(abi.DefaultMaxDepth) }

// depthError is the panic of encoding a value nested deeper than the depth
// limit: a value Rust could not decode, or a cyclic one that would never end.
type depthError struct {
	typ   string
	limit int64
}

func (e *depthError) Error() string {
	return fmt.Sprintf("%s is nested deeper than the depth limit of %d levels (is the value cyclic?)", e.typ, e.limit)
}

// Nest is called by the encoder of a type that can contain itself (typ) on
// entry, and Unnest on exit: the depth they count lives in buf's header, so
// a value nested deeper than the depth limit, or a cyclic one, fails the
// call (StatusInvalid) instead of exhausting the stack. buf is a Buffer.
func Nest(buf []byte, typ string) {
	d := binary.NativeEndian.Uint64(buf) + 1
	if limit := maxDepth.Load(); d > uint64(limit) {
		panic(&depthError{typ: typ, limit: limit})
	}
	binary.NativeEndian.PutUint64(buf, d)
}

// Unnest undoes the Nest of the same encoder.
func Unnest(buf []byte) {
	binary.NativeEndian.PutUint64(buf, binary.NativeEndian.Uint64(buf)-1)
}
