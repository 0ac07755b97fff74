package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// shape is the part of a ProtoField a test compares.
type shape struct {
	Label          string
	Packed, Option bool
	Wire, Proto    string
	Helper         string // the wrapper or entry message
}

func shapeOf(f *ProtoField) shape {
	s := shape{Label: f.Label.String(), Packed: f.Packed, Option: f.Option, Wire: f.Wire.String(), Proto: f.ProtoType}
	switch {
	case f.Wrapper != nil:
		s.Helper = f.Wrapper.Name
	case f.Entry != nil:
		s.Helper = f.Entry.Name
	}
	return s
}

func TestProtoFieldShapes(t *testing.T) {
	m := build(t, `
use std::collections::{BTreeMap, HashMap};
#[derive(R2G)]
enum Color { Red = 1, Blue = 10 }
#[derive(R2G)]
enum Shape { Circle(f64), Rect { w: f64 }, Nothing }
#[derive(R2G)]
struct User { name: String }
#[derive(R2G)]
struct All {
    a: i8, b: i64, c: u16, d: char, e: usize, f: f32, g: f64, h: bool,
    s: String, bytes: Vec<u8>, digest: [u8; 4], color: Color, shape: Shape, user: User,
    ints: Vec<i32>, names: Vec<String>, users: Vec<User>, colors: Vec<Color>,
    deep: Vec<Vec<String>>, grid: [[i32; 3]; 2], blobs: Vec<Vec<u8>>,
    mu8: Option<u8>, mname: Option<String>, muser: Option<Box<User>>, mm: Option<Option<i32>>, mv: Option<Vec<u32>>,
    scores: HashMap<String, i64>, lists: BTreeMap<u32, Vec<String>>, by_color: BTreeMap<Color, Option<Shape>>,
    pair: (u8, String),
}
#[r2go::r2g]
trait Api {
    async fn get(id: u32, items: impl futures_core::Stream<Item = u64>) -> Result<User, Color>;
    fn list(n: u32) -> impl futures_core::Stream<Item = User>;
}
`)
	p := m.Proto
	if p.Package != "gen" {
		t.Errorf("package %q", p.Package)
	}
	all := p.Messages[1]
	got := map[string]shape{}
	for _, f := range all.Fields {
		got[f.Name] = shapeOf(f.ProtoField)
	}
	plain := func(wire, proto string) shape { return shape{Label: "plain", Wire: wire, Proto: proto} }
	want := map[string]shape{
		"a": plain("zigzag32", "sint32"), "b": plain("zigzag64", "sint64"), "c": plain("varint", "uint32"),
		"d": plain("varint", "uint32"), "e": plain("varint", "uint64"), "f": plain("fixed32", "float"),
		"g": plain("fixed64", "double"), "h": plain("varint", "bool"), "s": plain("bytes", "string"),
		"bytes": plain("bytes", "bytes"), "digest": plain("bytes", "bytes"), "color": plain("varint", "Color"),
		"shape": plain("message", "Shape"), "user": plain("message", "User"),
		"ints":     {Label: "repeated", Packed: true, Wire: "zigzag32", Proto: "sint32"},
		"names":    {Label: "repeated", Wire: "bytes", Proto: "string"},
		"users":    {Label: "repeated", Wire: "message", Proto: "User"},
		"colors":   {Label: "repeated", Packed: true, Wire: "varint", Proto: "Color"},
		"deep":     {Label: "repeated", Wire: "message", Proto: "R2goVecString", Helper: "R2goVecString"},
		"grid":     {Label: "repeated", Wire: "message", Proto: "R2goArray3I32", Helper: "R2goArray3I32"},
		"blobs":    {Label: "repeated", Wire: "bytes", Proto: "bytes"},
		"mu8":      {Label: "optional", Option: true, Wire: "varint", Proto: "uint32"},
		"mname":    {Label: "optional", Option: true, Wire: "bytes", Proto: "string"},
		"muser":    {Label: "plain", Option: true, Wire: "message", Proto: "User"},
		"mm":       {Label: "plain", Option: true, Wire: "message", Proto: "R2goOptionI32", Helper: "R2goOptionI32"},
		"mv":       {Label: "plain", Option: true, Wire: "message", Proto: "R2goVecU32", Helper: "R2goVecU32"},
		"scores":   {Label: "map", Wire: "message", Proto: "map<string, sint64>", Helper: "R2goEntryStringI64"},
		"lists":    {Label: "repeated", Wire: "message", Proto: "R2goEntryU32VecString", Helper: "R2goEntryU32VecString"},
		"by_color": {Label: "repeated", Wire: "message", Proto: "R2goEntryColorOptionShape", Helper: "R2goEntryColorOptionShape"},
		"pair":     plain("message", "TupleU8String"),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("field shapes (-want +got):\n%s", d)
	}
	var helpers []string
	for _, h := range p.Helpers {
		helpers = append(helpers, h.Name)
	}
	// Entries of proto maps are implicit: R2goEntryStringI64 is not declared.
	wantHelpers := []string{"R2goVecString", "R2goArray3I32", "R2goOptionI32", "R2goVecU32", "R2goEntryU32VecString", "R2goEntryColorOptionShape"}
	if d := cmp.Diff(wantHelpers, helpers); d != "" {
		t.Errorf("helpers (-want +got):\n%s", d)
	}
	if len(p.Enums) != 1 || p.Enums[0].Values[0].Name != "COLOR_UNSPECIFIED" || p.Enums[0].Values[2].Name != "COLOR_BLUE" || p.Enums[0].Values[2].Number != 10 {
		t.Errorf("enum values: %+v", p.Enums[0].Values)
	}
	shapeMsg := p.Messages[2]
	var members []string
	for _, f := range shapeMsg.Members {
		members = append(members, f.Name+"="+f.ProtoType+"/"+string(rune('0'+f.Number)))
	}
	if d := cmp.Diff([]string{"circle=Shape.Circle/1", "rect=Shape.Rect/2", "nothing=Shape.Nothing/3"}, members); d != "" {
		t.Errorf("oneof members (-want +got):\n%s", d)
	}
	svc := p.Services[0]
	get, list := svc.RPCs[0], svc.RPCs[1]
	gotRPC := []string{get.Path, get.Kind.String(), get.In().Name, get.Out().Name, get.Error.Name, TypeURL(p.Package, get.Error),
		list.Path, list.Kind.String(), list.In().Name, list.Out().Name}
	wantRPC := []string{"/gen.Api/Get", "client streaming", "ApiGetUpload", "ApiGetResponse", "ApiGetError", "type.googleapis.com/gen.ApiGetError",
		"/gen.Api/List", "server streaming", "ApiListRequest", "ApiListItem"}
	if d := cmp.Diff(wantRPC, gotRPC); d != "" {
		t.Errorf("rpcs (-want +got):\n%s", d)
	}
	if n := len(get.Request.Fields); n != 1 || get.Request.Fields[0].Name != "id" {
		t.Errorf("upload request fields: %d", n)
	}
}
