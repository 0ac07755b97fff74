package gen

import (
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"r2go.dev/r2go/rt"
)

// These tests prove that gen.proto, as a protobuf compiler reads it,
// describes the bytes the generated Go codecs write and read.

func compiledProto(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	src, err := os.ReadFile("gen.proto")
	if err != nil {
		t.Fatal(err)
	}
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(map[string]string{"gen.proto": string(src)})}}
	files, err := c.Compile(context.Background(), "gen.proto")
	if err != nil {
		t.Fatalf("gen.proto does not compile: %v", err)
	}
	return files[0]
}

func ptr[T any](v T) *T { return &v }

func sampleAllTypes() AllTypes {
	small := int32(-7)
	return AllTypes{
		MaybeSmall:   ptr(uint8(0)), // present at zero: optional keeps it
		MaybeBig:     ptr(uint64(math.MaxUint64)),
		MaybeName:    ptr("näme"),
		MaybeUser:    &DemoUser{Name: "ann", Age: 255},
		MaybeMaybe:   ptr(&small),
		MaybeLetters: &[]*rune{ptr('x'), nil, ptr('🦀')},
		Letter:       'é',
		Word:         []rune("héllo"),
		Color:        ColorBlue,
		Palette:      []Color{ColorRed, ColorGreen, ColorBlue},
		Shape:        ShapeLabeled{Label: "l", Inner: ShapeGroup{F0: []Shape{ShapeCircle{F0: -1.5}, ShapeNothing{}}}},
		Shapes:       []Shape{ShapeRect{Width: 2, Height: math.Inf(1)}, ShapeCircle{F0: math.Copysign(0, -1)}},
		Scores:       map[string]int64{"a": math.MinInt64, "": 0, "c": 3},
		Ordered:      map[uint32][]string{0: nil, 7: {"x", ""}},
		ByColor:      map[Color]*Shape{ColorRed: nil, ColorGreen: ptr[Shape](ShapeNothing{})},
		ByLetter:     map[rune]bool{'a': true, 'b': false},
		Pair:         TupleU8String{F0: 1, F1: "one"},
		Nested:       TupleTupleI16ColorOptionTupleCharF32{F0: TupleI16Color{F0: math.MinInt16, F1: ColorGreen}, F1: &TupleCharF32{F0: 'z', F1: 0.25}},
		Digest:       [16]uint8{0: 1, 15: 0xff},
		Grid:         [2][3]int32{{1, -2, 3}, {0, 0, math.MaxInt32}},
		Names:        [3]string{"a", "", "c"},
		Tree:         TreeNode{Value: -1, Children: []TreeNode{{Value: 2}, {Value: 3, Next: &TreeNode{Value: 4}}}},
	}
}

func sampleScalars() Scalars {
	return Scalars{Flag: true, Tiny: math.MinInt8, Small: math.MaxInt16, Medium: math.MinInt32, Large: math.MaxInt64,
		Word: math.MinInt, Utiny: math.MaxUint8, Usmall: math.MaxUint16, Umedium: math.MaxUint32, Ularge: math.MaxUint64,
		Uword: math.MaxUint, Single: -0.5, Double: math.SmallestNonzeroFloat64}
}

// shapeOpts compares nil and empty slices and maps alike: the in-process
// codec and this one both give nil for empty lists.
var shapeOpts = cmp.Options{cmpopts.EquateEmpty()}

// noUnknown fails when dynamicpb kept bytes it could not place in a field
// of the compiled description, at any depth.
func noUnknown(t *testing.T, m protoreflect.Message, path string) {
	t.Helper()
	if u := m.GetUnknown(); len(u) > 0 {
		t.Errorf("%s: %d bytes the .proto does not describe", path, len(u))
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := path + "." + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					noUnknown(t, mv.Message(), p+"[]")
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				for i := 0; i < v.List().Len(); i++ {
					noUnknown(t, v.List().Get(i).Message(), p+"[]")
				}
			}
		case fd.Message() != nil:
			noUnknown(t, v.Message(), p)
		}
		return true
	})
}

func dynamic(t *testing.T, fd protoreflect.FileDescriptor, name string, b []byte) *dynamicpb.Message {
	t.Helper()
	desc := fd.Messages().ByName(protoreflect.Name(name))
	if desc == nil {
		t.Fatalf("no message %s in gen.proto", name)
	}
	m := dynamicpb.NewMessage(desc)
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatalf("dynamicpb cannot read the Go encoding of %s: %v", name, err)
	}
	noUnknown(t, m, name)
	return m
}

// field reads a field of a dynamic message by a dotted path of names.
func field(m protoreflect.Message, path string) protoreflect.Value {
	var v protoreflect.Value
	for i, name := range strings.Split(path, ".") {
		if i > 0 {
			m = v.Message()
		}
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
		v = m.Get(fd)
	}
	return v
}

func TestProtoDescribesTheGoEncoding(t *testing.T) {
	fd := compiledProto(t)
	in := sampleAllTypes()
	m := dynamic(t, fd, "AllTypes", rt.PBEncode(&in, r2goPBAppend_AllTypes))
	got := map[string]any{
		"maybe_small":         field(m, "maybe_small").Uint(),
		"has maybe_small":     m.Has(m.Descriptor().Fields().ByName("maybe_small")),
		"maybe_big":           field(m, "maybe_big").Uint(),
		"maybe_user.age":      field(m, "maybe_user.age").Uint(),
		"maybe_maybe.value":   field(m, "maybe_maybe.value").Int(),
		"maybe_letters.value": field(m, "maybe_letters.value").List().Len(),
		"letter":              field(m, "letter").Uint(),
		"color":               int64(field(m, "color").Enum()),
		"palette[2]":          int64(field(m, "palette").List().Get(2).Enum()),
		"shape.labeled.label": field(m, "shape.labeled.label").String(),
		"shape.labeled.inner.group.f0[0].circle.f0": field(m, "shape.labeled.inner.group.f0").List().Get(0).Message().
			Get(fd.Messages().ByName("Shape").Fields().ByName("circle")).Message().Get(fd.Messages().ByName("Shape").Messages().ByName("Circle").Fields().ByName("f0")).Float(),
		"scores[a]":             field(m, "scores").Map().Get(protoreflect.ValueOfString("a").MapKey()).Int(),
		"ordered":               field(m, "ordered").List().Len(),
		"by_color":              field(m, "by_color").List().Len(),
		"by_letter['a']":        field(m, "by_letter").Map().Get(protoreflect.ValueOfUint32('a').MapKey()).Bool(),
		"nested.f0.f0":          field(m, "nested.f0.f0").Int(),
		"digest":                len(field(m, "digest").Bytes()),
		"grid":                  field(m, "grid").List().Len(),
		"names[1]":              field(m, "names").List().Get(1).String(),
		"tree.children[1].next": field(m, "tree.children").List().Get(1).Message().Get(fd.Messages().ByName("TreeNode").Fields().ByName("next")).Message().Get(fd.Messages().ByName("TreeNode").Fields().ByName("value")).Int(),
	}
	want := map[string]any{
		"maybe_small": uint64(0), "has maybe_small": true, "maybe_big": uint64(math.MaxUint64), "maybe_user.age": uint64(255),
		"maybe_maybe.value": int64(-7), "maybe_letters.value": 3, "letter": uint64('é'), "color": int64(10), "palette[2]": int64(10),
		"shape.labeled.label": "l", "shape.labeled.inner.group.f0[0].circle.f0": -1.5, "scores[a]": int64(math.MinInt64),
		"ordered": 2, "by_color": 2, "by_letter['a']": true, "nested.f0.f0": int64(math.MinInt16), "digest": 16, "grid": 2,
		"names[1]": "", "tree.children[1].next": int64(4),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("AllTypes as dynamicpb reads it (-want +got):\n%s", d)
	}
	// A variant held by pointer is the same bytes as by value.
	byValue, byPointer := Shape(ShapeLabeled{Label: "p", Inner: ShapeNothing{}}), Shape(&ShapeLabeled{Label: "p", Inner: &ShapeNothing{}})
	if a, b := rt.PBEncode(&byValue, r2goPBAppend_Shape), rt.PBEncode(&byPointer, r2goPBAppend_Shape); string(a) != string(b) {
		t.Errorf("Shape by pointer % x, by value % x", b, a)
	}
	s := sampleScalars()
	sm := dynamic(t, fd, "Scalars", rt.PBEncode(&s, r2goPBAppend_Scalars))
	gotS := []any{field(sm, "flag").Bool(), field(sm, "tiny").Int(), field(sm, "medium").Int(), field(sm, "large").Int(), field(sm, "word").Int(),
		field(sm, "umedium").Uint(), field(sm, "uword").Uint(), field(sm, "single").Float(), field(sm, "double").Float()}
	wantS := []any{true, int64(math.MinInt8), int64(math.MinInt32), int64(math.MaxInt64), int64(math.MinInt64),
		uint64(math.MaxUint32), uint64(math.MaxUint64), -0.5, math.SmallestNonzeroFloat64}
	if d := cmp.Diff(wantS, gotS); d != "" {
		t.Errorf("Scalars as dynamicpb reads it (-want +got):\n%s", d)
	}
}

// TestGoDecodesProtobufEncodings decodes what a protobuf library writes
// (after reading the Go encoding into the compiled description), and
// the same bytes with packed fields unpacked and fields in reverse order.
func TestGoDecodesProtobufEncodings(t *testing.T) {
	fd := compiledProto(t)
	in := sampleAllTypes()
	m := dynamic(t, fd, "AllTypes", rt.PBEncode(&in, r2goPBAppend_AllTypes))
	lib, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"protobuf-go":           lib,
		"unpacked and reversed": reverseFields(unpack(t, lib, 8, 10)),
	} {
		var out AllTypes
		if err := rt.PBDecode(b, &out, r2goPBRead_AllTypes); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(in, out, shapeOpts); d != "" {
			t.Errorf("%s: decoded AllTypes (-want +got):\n%s", name, d)
		}
	}
	s := sampleScalars()
	sm := dynamic(t, fd, "Scalars", rt.PBEncode(&s, r2goPBAppend_Scalars))
	b, err := proto.Marshal(sm)
	if err != nil {
		t.Fatal(err)
	}
	var out Scalars
	if err := rt.PBDecode(reverseFields(b), &out, r2goPBRead_Scalars); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, out); d != "" {
		t.Errorf("decoded Scalars (-want +got):\n%s", d)
	}
}

// unpack rewrites the packed varint fields nums of a message as one
// field per element.
func unpack(t *testing.T, b []byte, nums ...protowire.Number) []byte {
	var out []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		size := protowire.ConsumeFieldValue(num, typ, b[n:])
		if n < 0 || size < 0 {
			t.Fatal("bad test message")
		}
		value := b[n : n+size]
		if slices.Contains(nums, num) && typ == protowire.BytesType {
			run, _ := protowire.ConsumeBytes(value)
			for len(run) > 0 {
				v, k := protowire.ConsumeVarint(run)
				out = protowire.AppendVarint(protowire.AppendTag(out, num, protowire.VarintType), v)
				run = run[k:]
			}
		} else {
			out = append(out, b[:n+size]...)
		}
		b = b[n+size:]
	}
	return out
}

// reverseFields writes the top-level fields of a message in reverse order;
// repeated fields then arrive in reverse too, so only singular fields and
// lists of one element keep their meaning: reverse groups of one number.
func reverseFields(b []byte) []byte {
	type group struct {
		num   protowire.Number
		bytes []byte
	}
	var groups []group
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		size := protowire.ConsumeFieldValue(num, typ, b[n:])
		if len(groups) > 0 && groups[len(groups)-1].num == num {
			groups[len(groups)-1].bytes = append(groups[len(groups)-1].bytes, b[:n+size]...)
		} else {
			groups = append(groups, group{num, append([]byte(nil), b[:n+size]...)})
		}
		b = b[n+size:]
	}
	var out []byte
	for i := len(groups) - 1; i >= 0; i-- {
		out = append(out, groups[i].bytes...)
	}
	return out
}

// TestDecodeErrorsNameThePath checks that bad values fail with the path to
// them and never decode into something else.
func TestDecodeErrorsNameThePath(t *testing.T) {
	user := func(age uint64, name string) []byte {
		b := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), name)
		return protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), age)
	}
	req := func(users ...[]byte) []byte {
		var b []byte
		for _, u := range users {
			b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), u)
		}
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"age out of range", req(user(1, "a"), user(256, "b")), "r2go: cannot decode users[1].age: 256 is out of range for u8"},
		{"bad utf-8", req(user(1, "a\xff")), "r2go: cannot decode users[0].name: the string is not UTF-8"},
		{"wrong wire type", protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3), "r2go: cannot decode users[0]: wire type 0 where 2 was expected"},
		{"truncated", req(user(1, "a"))[:4], "r2go: cannot decode users[0]: bad length-delimited value: unexpected EOF"},
	} {
		var v DemoComplicatedRequest
		err := rt.PBDecode(c.b, &v, r2goPBRead_DemoComplicatedRequest)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// A chain of TreeNode deeper than the depth limit.
	var b []byte
	for range 10_001 {
		b = protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), b)
	}
	var tree TreeNode
	err := rt.PBDecode(b, &tree, r2goPBRead_TreeNode)
	var pe *rt.PBError
	if !errors.As(err, &pe) || !strings.HasSuffix(err.Error(), "TreeNode is nested deeper than the depth limit of 10000 levels") {
		t.Errorf("deep tree: %v", err)
	}
	// An enum value that is no variant, and one with no variant set.
	var c Color
	if _, _, err := r2goPBEnum_Color(&rt.PBReader{}, protowire.VarintType, protowire.AppendVarint(nil, 0)); err == nil || err.Error() != "r2go: cannot decode the message: 0 is not a variant of Color" {
		t.Errorf("Color 0: %v (%v)", err, c)
	}
	var s Shape
	if err := rt.PBDecode(nil, &s, r2goPBRead_Shape); err == nil || err.Error() != "r2go: cannot decode the message: no variant of Shape is set" {
		t.Errorf("empty Shape: %v", err)
	}
}

// FuzzDecodeAllTypes feeds hostile bytes to a decoder: it must fail or
// succeed, never panic, and what it accepts must encode and decode to the
// same value.
func FuzzDecodeAllTypes(f *testing.F) {
	in := sampleAllTypes()
	f.Add(rt.PBEncode(&in, r2goPBAppend_AllTypes))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var v AllTypes
		if err := rt.PBDecode(b, &v, r2goPBRead_AllTypes); err != nil {
			return
		}
		again := rt.PBEncode(&v, r2goPBAppend_AllTypes)
		var w AllTypes
		if err := rt.PBDecode(again, &w, r2goPBRead_AllTypes); err != nil {
			t.Fatalf("the encoding of a decoded value does not decode: %v", err)
		}
		if d := cmp.Diff(v, w, shapeOpts, cmpopts.EquateNaNs()); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}
