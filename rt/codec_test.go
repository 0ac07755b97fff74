package rt

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func TestReadOptionMapAndArray(t *testing.T) {
	if got := ReadOption[uint16](nil, ReadScalar[uint16]); got != nil {
		t.Errorf("ReadOption(nil) = %v", *got)
	}
	n := uint16(7)
	if got := ReadOption(&n, ReadScalar[uint16]); got == nil || *got != 7 || got == &n {
		t.Errorf("ReadOption(&7) = %v, want a copy of 7", got)
	}

	pairs := []Pair[uint32, uint8]{{1, 10}, {2, 20}}
	m := ReadMap(&ListRef{Ptr: unsafe.Pointer(&pairs[0]), Len: 2}, ReadScalar[uint32], ReadScalar[uint8])
	if diff := cmp.Diff(map[uint32]uint8{1: 10, 2: 20}, m); diff != "" {
		t.Errorf("ReadMap (-want +got):\n%s", diff)
	}
	if m := ReadMap(&ListRef{}, ReadScalar[uint32], ReadScalar[uint8]); m == nil || len(m) != 0 {
		t.Errorf("ReadMap(empty) = %#v, want an empty non-nil map", m)
	}

	arr := [3]int32{-1, 0, 1}
	if got := ReadRaw[[3]int32](&ListRef{Ptr: unsafe.Pointer(&arr[0]), Len: 3}); got != arr {
		t.Errorf("ReadRaw = %v", got)
	}
	if got := ReadRaw[[0]int32](&ListRef{}); got != [0]int32{} {
		t.Errorf("ReadRaw(empty) = %v", got)
	}
}

func TestAppendNewEncodings(t *testing.T) {
	var want []byte
	want = append(want, 0)                                        // None
	want = append(want, 1, 9)                                     // Some(9u8)
	want = binary.NativeEndian.AppendUint32(want, 2)              // tag 2
	want = binary.NativeEndian.AppendUint64(want, 1)              // map of one entry
	want = append(want, 5)                                        // key
	want = binary.NativeEndian.AppendUint16(want, 500)            // value
	want = binary.NativeEndian.AppendUint16(want, 1)              // [1, 2] as raw u16s
	want = binary.NativeEndian.AppendUint16(want, 2)              //
	want = append(binary.NativeEndian.AppendUint64(want, 1), 'x') // ["x"] without a count

	var none *uint8
	nine := uint8(9)
	some := &nine
	m := map[uint8]uint16{5: 500}
	arr := [2]uint16{1, 2}
	words := [1]string{"x"}

	var b []byte
	b = AppendOption(b, &none, AppendScalar[uint8])
	b = AppendOption(b, &some, AppendScalar[uint8])
	b = AppendTag(b, 2)
	b = AppendMap(b, &m, AppendScalar[uint8], AppendScalar[uint16])
	b = AppendRaw(b, arr[:])
	b = AppendEach(b, words[:], AppendString)
	if !bytes.Equal(b, want) {
		t.Errorf("encoded %v, want %v", b, want)
	}
}

func TestEnumPanicsNameTheEnum(t *testing.T) {
	if got, want := UnknownTag("Shape", 9), "r2go: unknown variant tag 9 of enum Shape"; got != want {
		t.Errorf("UnknownTag = %q, want %q", got, want)
	}
	if got, want := NilEnum("Shape"), "r2go: cannot pass a nil Shape to Rust; set one of its variants"; got != want {
		t.Errorf("NilEnum = %q, want %q", got, want)
	}
}
