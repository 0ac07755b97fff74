package rt

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf codec of served calls (ADR 0016). Generated encoders write
// with a PBWriter and generated decoders read with a PBReader; the model
// decided every field number and wire kind, so these only write and check
// single values.

// PBWriter accumulates one encoded message. B is the encoding so far; it
// belongs to the writer until the caller takes it.
type PBWriter struct {
	B     []byte
	depth int64
}

// Tag writes a field's tag.
func (w *PBWriter) Tag(num protowire.Number, typ protowire.Type) {
	w.B = protowire.AppendTag(w.B, num, typ)
}

// VarintField writes a varint field (bool, unsigned integers, enums).
func (w *PBWriter) VarintField(num protowire.Number, v uint64) {
	w.B = protowire.AppendVarint(protowire.AppendTag(w.B, num, protowire.VarintType), v)
}

// ZigzagField writes a sint32 or sint64 field.
func (w *PBWriter) ZigzagField(num protowire.Number, v int64) {
	w.VarintField(num, protowire.EncodeZigZag(v))
}

// Fixed32Field writes a float field.
func (w *PBWriter) Fixed32Field(num protowire.Number, v float32) {
	w.B = protowire.AppendFixed32(protowire.AppendTag(w.B, num, protowire.Fixed32Type), math.Float32bits(v))
}

// Fixed64Field writes a double field.
func (w *PBWriter) Fixed64Field(num protowire.Number, v float64) {
	w.B = protowire.AppendFixed64(protowire.AppendTag(w.B, num, protowire.Fixed64Type), math.Float64bits(v))
}

// StringField writes a string field.
func (w *PBWriter) StringField(num protowire.Number, v string) {
	w.B = protowire.AppendString(protowire.AppendTag(w.B, num, protowire.BytesType), v)
}

// BytesField writes a bytes field.
func (w *PBWriter) BytesField(num protowire.Number, v []byte) {
	w.B = protowire.AppendBytes(protowire.AppendTag(w.B, num, protowire.BytesType), v)
}

// Varint, Zigzag, Fixed32 and Fixed64 write one element of a packed field.
func (w *PBWriter) Varint(v uint64)   { w.B = protowire.AppendVarint(w.B, v) }
func (w *PBWriter) Zigzag(v int64)    { w.B = protowire.AppendVarint(w.B, protowire.EncodeZigZag(v)) }
func (w *PBWriter) Fixed32(v float32) { w.B = protowire.AppendFixed32(w.B, math.Float32bits(v)) }
func (w *PBWriter) Fixed64(v float64) { w.B = protowire.AppendFixed64(w.B, math.Float64bits(v)) }

// Begin starts a length-delimited field (a message or a packed list) and
// returns where its content starts; End, given that, writes the length
// in front of the content.
func (w *PBWriter) Begin(num protowire.Number) int {
	w.B = protowire.AppendTag(w.B, num, protowire.BytesType)
	return len(w.B)
}

// End finishes the field Begin started.
func (w *PBWriter) End(start int) {
	n := len(w.B) - start
	k := protowire.SizeVarint(uint64(n))
	w.B = append(w.B, make([]byte, k)...)
	copy(w.B[start+k:], w.B[start:start+n])
	protowire.AppendVarint(w.B[:start], uint64(n))
}

// Nest is called by the encoder of a type that can contain itself (typ) on
// entry, and Unnest on exit: a value nested deeper than the depth limit, or
// a cyclic one, fails the call as Invalid instead of exhausting the stack.
func (w *PBWriter) Nest(typ string) {
	w.depth++
	if limit := maxDepth.Load(); w.depth > limit {
		panic(&depthError{typ: typ, limit: limit})
	}
}

// Unnest undoes the Nest of the same encoder.
func (w *PBWriter) Unnest() { w.depth-- }

// PBReader decodes one message; it counts the depth of values that can
// contain themselves.
type PBReader struct {
	depth int64
}

// PBError is a decode error: what is wrong and the path to the value
// (fields, list indexes and map keys, outermost first).
type PBError struct {
	Path []string // innermost first while the error travels up
	Msg  string
}

func (e *PBError) Error() string {
	if len(e.Path) == 0 {
		return "r2go: cannot decode the message: " + e.Msg
	}
	p := make([]string, len(e.Path))
	for i, s := range e.Path {
		p[len(p)-1-i] = s
	}
	return "r2go: cannot decode " + strings.ReplaceAll(strings.Join(p, "."), ".[", "[") + ": " + e.Msg
}

// PBAt adds the field (or "[i]") where err happened to its path.
func PBAt(err error, where string) error {
	var pe *PBError
	if errors.As(err, &pe) {
		pe.Path = append(pe.Path, where)
		return pe
	}
	return &PBError{Path: []string{where}, Msg: err.Error()}
}

func pbErrorf(format string, args ...any) error {
	return &PBError{Msg: fmt.Sprintf(format, args...)}
}

// PBMissing is the error of a value that must be present and is not (a
// data enum's variant).
func PBMissing(what string) error { return pbErrorf("no variant of %s is set", what) }

// PBLength is the error of an array with the wrong number of elements.
func PBLength(got, want int) error {
	return pbErrorf("%d elements where the array holds %d", got, want)
}

// Nest counts one level of a type that can contain itself; past the depth
// limit it fails.
func (r *PBReader) Nest(typ string) error {
	r.depth++
	if limit := maxDepth.Load(); r.depth > limit {
		return pbErrorf("%s is nested deeper than the depth limit of %d levels", typ, limit)
	}
	return nil
}

// Unnest undoes Nest.
func (r *PBReader) Unnest() { r.depth-- }

// Tag reads a field's tag.
func (r *PBReader) Tag(b []byte) (protowire.Number, protowire.Type, []byte, error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return 0, 0, nil, pbErrorf("bad tag: %v", protowire.ParseError(n))
	}
	return num, typ, b[n:], nil
}

// Skip skips the value of an unknown field.
func (r *PBReader) Skip(num protowire.Number, typ protowire.Type, b []byte) ([]byte, error) {
	n := protowire.ConsumeFieldValue(num, typ, b)
	if n < 0 {
		return nil, pbErrorf("bad field %d: %v", num, protowire.ParseError(n))
	}
	return b[n:], nil
}

func wireError(typ, want protowire.Type) error {
	return pbErrorf("wire type %d where %d was expected", typ, want)
}

func (r *PBReader) varint(typ protowire.Type, b []byte) (uint64, []byte, error) {
	if typ != protowire.VarintType {
		return 0, nil, wireError(typ, protowire.VarintType)
	}
	v, n := protowire.ConsumeVarint(b)
	if n < 0 {
		return 0, nil, pbErrorf("bad varint: %v", protowire.ParseError(n))
	}
	return v, b[n:], nil
}

func (r *PBReader) uint(typ protowire.Type, b []byte, max uint64, what string) (uint64, []byte, error) {
	v, b, err := r.varint(typ, b)
	if err == nil && v > max {
		err = pbErrorf("%d is out of range for %s", v, what)
	}
	return v, b, err
}

func (r *PBReader) sint(typ protowire.Type, b []byte, lo, hi int64, what string) (int64, []byte, error) {
	u, b, err := r.varint(typ, b)
	if err != nil {
		return 0, nil, err
	}
	if lo == math.MinInt32 && u > math.MaxUint32 {
		// sint32 is 32 bits of zigzag; protobuf parsers keep the low bits,
		// r2go refuses to truncate.
		return 0, nil, pbErrorf("%d is out of range for %s", u, what)
	}
	v := protowire.DecodeZigZag(u)
	if v < lo || v > hi {
		return 0, nil, pbErrorf("%d is out of range for %s", v, what)
	}
	return v, b, nil
}

// The readers of one value of each scalar kind: each checks the wire type
// and the range, and returns the rest of b.

func (r *PBReader) Bool(typ protowire.Type, b []byte) (bool, []byte, error) {
	v, b, err := r.uint(typ, b, 1, "bool")
	return v == 1, b, err
}
func (r *PBReader) U8(typ protowire.Type, b []byte) (uint8, []byte, error) {
	v, b, err := r.uint(typ, b, math.MaxUint8, "u8")
	return uint8(v), b, err
}
func (r *PBReader) U16(typ protowire.Type, b []byte) (uint16, []byte, error) {
	v, b, err := r.uint(typ, b, math.MaxUint16, "u16")
	return uint16(v), b, err
}
func (r *PBReader) U32(typ protowire.Type, b []byte) (uint32, []byte, error) {
	v, b, err := r.uint(typ, b, math.MaxUint32, "u32")
	return uint32(v), b, err
}
func (r *PBReader) U64(typ protowire.Type, b []byte) (uint64, []byte, error) {
	return r.uint(typ, b, math.MaxUint64, "u64")
}
func (r *PBReader) Usize(typ protowire.Type, b []byte) (uint, []byte, error) {
	v, b, err := r.uint(typ, b, math.MaxUint, "usize")
	return uint(v), b, err
}
func (r *PBReader) Char(typ protowire.Type, b []byte) (rune, []byte, error) {
	v, b, err := r.uint(typ, b, math.MaxUint32, "char")
	if err == nil && !utf8.ValidRune(rune(v)) {
		err = pbErrorf("%#x is not a Unicode scalar value", v)
	}
	return rune(v), b, err
}
func (r *PBReader) I8(typ protowire.Type, b []byte) (int8, []byte, error) {
	v, b, err := r.sint(typ, b, math.MinInt8, math.MaxInt8, "i8")
	return int8(v), b, err
}
func (r *PBReader) I16(typ protowire.Type, b []byte) (int16, []byte, error) {
	v, b, err := r.sint(typ, b, math.MinInt16, math.MaxInt16, "i16")
	return int16(v), b, err
}
func (r *PBReader) I32(typ protowire.Type, b []byte) (int32, []byte, error) {
	v, b, err := r.sint(typ, b, math.MinInt32, math.MaxInt32, "i32")
	return int32(v), b, err
}
func (r *PBReader) I64(typ protowire.Type, b []byte) (int64, []byte, error) {
	return r.sint(typ, b, math.MinInt64, math.MaxInt64, "i64")
}
func (r *PBReader) Isize(typ protowire.Type, b []byte) (int, []byte, error) {
	v, b, err := r.sint(typ, b, math.MinInt, math.MaxInt, "isize")
	return int(v), b, err
}
func (r *PBReader) F32(typ protowire.Type, b []byte) (float32, []byte, error) {
	if typ != protowire.Fixed32Type {
		return 0, nil, wireError(typ, protowire.Fixed32Type)
	}
	v, n := protowire.ConsumeFixed32(b)
	if n < 0 {
		return 0, nil, pbErrorf("bad fixed32: %v", protowire.ParseError(n))
	}
	return math.Float32frombits(v), b[n:], nil
}
func (r *PBReader) F64(typ protowire.Type, b []byte) (float64, []byte, error) {
	if typ != protowire.Fixed64Type {
		return 0, nil, wireError(typ, protowire.Fixed64Type)
	}
	v, n := protowire.ConsumeFixed64(b)
	if n < 0 {
		return 0, nil, pbErrorf("bad fixed64: %v", protowire.ParseError(n))
	}
	return math.Float64frombits(v), b[n:], nil
}

// Enum reads a proto enum value; the generated reader checks it is a
// variant.
func (r *PBReader) Enum(typ protowire.Type, b []byte) (int32, []byte, error) {
	v, b, err := r.varint(typ, b)
	if err == nil && int64(v) != int64(int32(v)) {
		err = pbErrorf("%d is out of range for an enum", int64(v))
	}
	return int32(v), b, err
}

// Payload reads a length-delimited value; the result aliases b.
func (r *PBReader) Payload(typ protowire.Type, b []byte) ([]byte, []byte, error) {
	if typ != protowire.BytesType {
		return nil, nil, wireError(typ, protowire.BytesType)
	}
	v, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return nil, nil, pbErrorf("bad length-delimited value: %v", protowire.ParseError(n))
	}
	return v, b[n:], nil
}

// String reads a string, which must be UTF-8.
func (r *PBReader) String(typ protowire.Type, b []byte) (string, []byte, error) {
	v, b, err := r.Payload(typ, b)
	if err != nil {
		return "", nil, err
	}
	if !utf8.Valid(v) {
		return "", nil, pbErrorf("the string is not UTF-8")
	}
	return string(v), b, nil
}

// Bytes reads bytes into a new slice (nil when empty).
func (r *PBReader) Bytes(typ protowire.Type, b []byte) ([]byte, []byte, error) {
	v, b, err := r.Payload(typ, b)
	if err != nil || len(v) == 0 {
		return nil, b, err
	}
	return append([]byte(nil), v...), b, nil
}

// FixedBytes reads bytes into dst, an array's slice, which they must fill.
func (r *PBReader) FixedBytes(typ protowire.Type, b []byte, dst []byte) ([]byte, error) {
	v, b, err := r.Payload(typ, b)
	if err != nil {
		return nil, err
	}
	if len(v) != len(dst) {
		return nil, PBLength(len(v), len(dst))
	}
	copy(dst, v)
	return b, nil
}

// PBBool is a bool as a varint.
func PBBool(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// PBMessage reads one embedded message into a new T with read.
func PBMessage[T any](r *PBReader, typ protowire.Type, b []byte, read func(*PBReader, []byte, *T) error) (T, []byte, error) {
	var v T
	body, rest, err := r.Payload(typ, b)
	if err != nil {
		return v, nil, err
	}
	return v, rest, read(r, body, &v)
}

// PBMessageOne reads one message with read, in the form of the readers of
// one scalar ((*PBReader).U8 and its siblings), for PBRepeated and PBOptional.
func PBMessageOne[T any](read func(*PBReader, []byte, *T) error) func(*PBReader, protowire.Type, []byte) (T, []byte, error) {
	return func(r *PBReader, typ protowire.Type, b []byte) (T, []byte, error) {
		return PBMessage(r, typ, b, read)
	}
}

// PBOptional reads the value of an optional field (or a message or
// wrapper standing for an Option, with PBMessageOne) into a new *T.
func PBOptional[T any](r *PBReader, typ protowire.Type, b []byte, one func(*PBReader, protowire.Type, []byte) (T, []byte, error)) (*T, []byte, error) {
	v, b, err := one(r, typ, b)
	if err != nil {
		return nil, nil, err
	}
	return &v, b, nil
}

// PBRepeated appends the values of one occurrence of a repeated field to
// *dst: one value, or (when elem, the element's wire type, is not
// length-delimited and the field is) a packed run of them.
func PBRepeated[T any](r *PBReader, typ protowire.Type, b []byte, dst *[]T, elem protowire.Type, one func(*PBReader, protowire.Type, []byte) (T, []byte, error)) ([]byte, error) {
	if typ == protowire.BytesType && elem != protowire.BytesType {
		run, rest, err := r.Payload(typ, b)
		if err != nil {
			return nil, err
		}
		for len(run) > 0 {
			var v T
			if v, run, err = one(r, elem, run); err != nil {
				return nil, PBAt(err, fmt.Sprintf("[%d]", len(*dst)))
			}
			*dst = append(*dst, v)
		}
		return rest, nil
	}
	v, rest, err := one(r, typ, b)
	if err != nil {
		return nil, PBAt(err, fmt.Sprintf("[%d]", len(*dst)))
	}
	*dst = append(*dst, v)
	return rest, nil
}

// PBArray copies the elements decoded for an array into it, which they
// must fill.
func PBArray[T any](got []T, dst []T) error {
	if len(got) != len(dst) {
		return PBLength(len(got), len(dst))
	}
	copy(dst, got)
	return nil
}

// PBEntry reads one map entry into *m (made when nil) with read; a later
// entry with the same key wins.
func PBEntry[K comparable, V any](r *PBReader, typ protowire.Type, b []byte, m *map[K]V, read func(*PBReader, []byte, *K, *V) error) ([]byte, error) {
	body, rest, err := r.Payload(typ, b)
	if err != nil {
		return nil, err
	}
	var k K
	var v V
	if err := read(r, body, &k, &v); err != nil {
		return nil, PBAt(err, fmt.Sprintf("[%d]", len(*m)))
	}
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
	return rest, nil
}

// PBErrorEncoder writes err as a method's typed error message and reports
// true, or reports false when err is not of that type.
type PBErrorEncoder func(w *PBWriter, err error) bool

// PBErrorAs is ErrorAs for the protobuf codec: it matches a T or a non-nil
// *T anywhere in err's chain and writes it with enc.
func PBErrorAs[T error, P interface {
	*T
	error
}](enc func(*PBWriter, *T)) PBErrorEncoder {
	return func(w *PBWriter, err error) bool {
		var v T
		if errors.As(err, &v) {
			enc(w, &v)
			return true
		}
		var p P
		if errors.As(err, &p) && p != nil {
			enc(w, (*T)(p))
			return true
		}
		return false
	}
}

// PBErrorAsSealed is ErrorAsSealed for the protobuf codec.
func PBErrorAsSealed[T error](enc func(*PBWriter, *T)) PBErrorEncoder {
	return func(w *PBWriter, err error) bool {
		var v T
		if errors.As(err, &v) {
			enc(w, &v)
			return true
		}
		return false
	}
}

// PBDecode decodes the message b into v with read, with a fresh depth
// count: the entry point of generated decoders.
func PBDecode[T any](b []byte, v *T, read func(*PBReader, []byte, *T) error) error {
	return read(&PBReader{}, b, v)
}

// PBEncode encodes v with enc into a new buffer: the entry point of
// generated encoders.
func PBEncode[T any](v *T, enc func(*PBWriter, *T)) []byte {
	w := &PBWriter{}
	enc(w, v)
	return w.B
}
