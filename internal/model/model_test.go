package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"r2go.dev/r2go/internal/idl"
)

func TestGoNames(t *testing.T) {
	for in, want := range map[string]string{
		"user_id": "UserID", "DemoUser": "DemoUser", "http_url": "HTTPURL", "demo_check_async": "DemoCheckAsync",
		"HttpServer": "HTTPServer", "userId": "UserID", "utf8_name": "UTF8Name", "a": "A", "x2y": "X2y",
		"json": "JSON", "_private": "Private", "__": "X__", "über": "Über", "IOError": "IOError",
		// A capital after a digit starts a word, so initialisms after it are found.
		"v2Api": "V2API", "Utf8Url": "UTF8URL",
	} {
		if got := GoExported(in); got != want {
			t.Errorf("GoExported(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"user_id": "userID", "type": "type_", "ctx": "ctx_", "req": "req", "URL": "url",
		"http_request": "httpRequest", "range": "range_", "rt": "rt_",
		"string": "string_", "uint8": "uint8_", "nil": "nil_", "len": "len_", "v2Api": "v2API",
	} {
		if got := GoParam(in); got != want {
			t.Errorf("GoParam(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Symbol("gen", "DemoCall", "demo_check"); got != "r2go1_gen_DemoCall_demo_check" {
		t.Errorf("Symbol = %q", got)
	}
	if got, want := RustIdent("type")+RustIdent("name"), "r#typename"; got != want {
		t.Errorf("RustIdent: %q, want %q", got, want)
	}
}

func build(t *testing.T, src string) *Model {
	t.Helper()
	f, err := idl.Parse("user.rs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(f, Options{GoPackage: "gen"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLayoutsFollowCRules(t *testing.T) {
	m := build(t, `
#[derive(R2G)]
struct Inner { a: u8, b: u16 }
#[derive(R2G)]
struct Outer { flag: bool, inner: Inner, name: String, x: u8, list: Vec<Inner>, f: f32 }
`)
	type fl struct {
		Name   string
		Offset int
	}
	var got []fl
	for _, f := range m.Structs[1].Fields {
		got = append(got, fl{f.Name, f.RefOffset})
	}
	want := []fl{{"flag", 0}, {"inner", 2}, {"name", 8}, {"x", 24}, {"list", 32}, {"f", 48}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	if got, want := m.Structs[0].RefLayout, (Layout{Size: 4, Align: 2}); got != want {
		t.Errorf("Inner layout %+v, want %+v", got, want)
	}
	if got, want := m.Structs[1].RefLayout, (Layout{Size: 56, Align: 8}); got != want {
		t.Errorf("Outer layout %+v, want %+v", got, want)
	}
}

func TestCallKinds(t *testing.T) {
	m := build(t, `
use std::future::Future;
#[r2g]
trait T {
    fn oneway(x: &String);
    fn unit() -> ();
    fn direct(a: i32) -> f64;
    fn encoded() -> String;
    async fn a1() -> u8;
    async fn a2();
    fn a3() -> impl Future<Output = Vec<u8>> + Send + 'static;
    fn a4() -> impl std::future::Future<Output = ()>;
}
`)
	type call struct {
		Name   string
		Kind   CallKind
		Ret    string
		Direct bool
	}
	var got []call
	for _, mt := range m.Traits[0].Methods {
		ret := ""
		if mt.Ret != nil {
			ret = mt.Ret.RustName()
		}
		got = append(got, call{mt.Name, mt.Kind, ret, mt.RetDirect})
	}
	want := []call{
		{"oneway", Oneway, "", false}, {"unit", Oneway, "", false}, {"direct", Sync, "f64", true},
		{"encoded", Sync, "String", false}, {"a1", Async, "u8", false}, {"a2", Async, "", false},
		{"a3", Async, "Vec<u8>", false}, {"a4", Async, "", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	if p := m.Traits[0].Methods[0].Params[0]; !p.ByRef || p.Direct() || p.Type.Kind != String {
		t.Errorf("oneway param: %+v", p)
	}
}

func TestRustCrateIsReadOffAttributePaths(t *testing.T) {
	for src, want := range map[string]string{
		"#[derive(rust2go::R2G)] struct A { x: u8 }":          "rust2go",
		"#[derive(Clone, r2go::R2G)] struct A { x: u8 }":      "r2go",
		"#[derive(R2G)] struct A { x: u8 } #[r2g] trait T {}": "r2go",
		"#[my_bridge::r2g] trait T {}":                        "my_bridge",
	} {
		if got := build(t, src).RustCrate; got != want {
			t.Errorf("%s: crate %q, want %q", src, got, want)
		}
	}
}

func TestInvalidPackageName(t *testing.T) {
	f, _ := idl.Parse("user.rs", []byte(""))
	_, err := Build(f, Options{GoPackage: "my-pkg"})
	want := "user.rs:1:1: go package name \"my-pkg\" is not a valid identifier\n\thint: name the output directory, or pass --package, with a lower-case ASCII identifier"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestLayoutsAndNamesOfTheNewKinds(t *testing.T) {
	m := build(t, `
#[derive(R2G)]
enum Color { Red = -1, Green, Blue = 7 }
#[derive(R2G)]
enum Shape { Dot, Line(u8, Option<Box<Shape>>), Box { w: u16 } }
#[derive(R2G)]
struct S {
    c: char,
    color: Color,
    o: Option<u8>,
    shape: Shape,
    pair: (u8, u64),
    again: (u8, Box<u64>),
    arr: [u16; 3],
    map: std::collections::BTreeMap<Color, Vec<char>>,
}
`)
	type fl struct {
		Name   string
		Offset int
		Rust   string
	}
	var got []fl
	for _, f := range m.Structs[0].Fields {
		got = append(got, fl{f.Name, f.RefOffset, f.Type.RustName()})
	}
	want := []fl{
		{"c", 0, "char"}, {"color", 4, "Color"}, {"o", 8, "Option<u8>"}, {"shape", 16, "Shape"},
		{"pair", 32, "(u8, u64)"}, {"again", 48, "(u8, Box<u64>)"}, {"arr", 64, "[u16; 3]"},
		{"map", 80, "::std::collections::BTreeMap<Color, Vec<char>>"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if got, want := m.Structs[0].RefLayout, (Layout{Size: 96, Align: 8}); got != want {
		t.Errorf("S layout %+v, want %+v", got, want)
	}
	// Tuples that differ only in Box share one Go record.
	if len(m.Tuples) != 1 || m.Tuples[0].GoName != "TupleU8U64" || m.Tuples[0].RefLayout != (Layout{16, 8}) {
		t.Errorf("tuples: %+v", m.Tuples)
	}
	var values []int64
	for _, v := range m.Enums[0].Variants {
		values = append(values, v.Value)
	}
	if diff := cmp.Diff([]int64{-1, 0, 7}, values); diff != "" || !m.Enums[0].Unit || m.Enums[0].Variants[1].GoName != "ColorGreen" {
		t.Errorf("Color: unit %v, values (-want +got):\n%s", m.Enums[0].Unit, diff)
	}
	shape := m.Enums[1]
	if shape.Unit || shape.GoMarker != "isShape" || shape.Variants[1].Data.RefLayout != (Layout{16, 8}) ||
		shape.Variants[2].GoName != "ShapeBox" || shape.Variants[2].Data.RustRefType != "ShapeBoxR2goRef" {
		t.Errorf("Shape: %+v %+v", shape, shape.Variants[1].Data)
	}
}

func TestParseInt(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "-7": -7, "1_000": 1000, "0x10": 16, "0b11": 3, "0o17": 15, "5u8": 5, " 3 ": 3} {
		if got, ok := parseInt(in); !ok || got != want {
			t.Errorf("parseInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "x", "1 << 2", "017", "+1", "N"} {
		if got, ok := parseInt(in); ok {
			t.Errorf("parseInt(%q) = %d, want failure", in, got)
		}
	}
}
