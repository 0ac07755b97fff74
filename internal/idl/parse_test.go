package idl

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Helpers to build expected trees. Slices stay nil when empty, as Parse
// leaves them.

func at(line, col int) Pos { return Pos{Line: line, Col: col} }

func named(pos Pos, path string, args ...*Type) *Type {
	return &Type{Pos: pos, Kind: PathType, Path: path, Name: path[strings.LastIndex(path, ":")+1:], Args: args}
}

func implOf(pos Pos, path string, args ...*Type) *Type {
	t := named(pos, path, args...)
	t.Kind = ImplType
	return t
}

func withAssoc(t *Type, name string, pos Pos, ty *Type) *Type {
	t.Assoc = append(t.Assoc, &AssocBinding{Pos: pos, Name: name, Type: ty})
	return t
}

func ref(pos Pos, elem *Type) *Type { return &Type{Pos: pos, Kind: RefType, Elem: elem} }

func refMut(pos Pos, elem *Type) *Type { return &Type{Pos: pos, Kind: RefType, Elem: elem, Mut: true} }

func tuple(pos Pos, elems ...*Type) *Type { return &Type{Pos: pos, Kind: TupleType, Elems: elems} }

func array(pos Pos, elem *Type, n string) *Type {
	return &Type{Pos: pos, Kind: ArrayType, Elem: elem, Len: n}
}

func slice(pos Pos, elem *Type) *Type { return &Type{Pos: pos, Kind: SliceType, Elem: elem} }

func field(pos Pos, name string, ty *Type) *Field { return &Field{Pos: pos, Name: name, Type: ty} }

func param(pos Pos, name string, ty *Type) *Param { return &Param{Pos: pos, Name: name, Type: ty} }

func attr(pos Pos, path, args string) Attr { return Attr{Pos: pos, Path: path, Args: args} }

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("user.rs", []byte(src))
	if err != nil {
		t.Fatalf("Parse: unexpected error:\n%v", err)
	}
	return f
}

const demoSrc = `pub mod binding {
    rust2go::r2g_include_binding!();
}

/// A user of the demo.
#[derive(rust2go::R2G, Clone)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone)]
pub struct DemoComplicatedRequest {
    pub users: Vec<DemoUser>,
    pub balabala: Vec<u8>,
}

#[rust2go::r2g(binding = binding, queue_size = 40960)]
pub trait DemoCall {
    fn demo_oneway(req: &DemoUser);
    fn demo_check(req: &DemoComplicatedRequest) -> DemoResponse;
    fn demo_check_async(
        req: &DemoComplicatedRequest,
    ) -> impl std::future::Future<Output = DemoResponse>;
    #[drop_safe]
    fn demo_check_async_safe(
        req: DemoComplicatedRequest,
    ) -> impl std::future::Future<Output = (DemoResponse, DemoComplicatedRequest)>;
}
`

func TestParseFile(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *File
	}{
		{
			name: "rust2go demo",
			src:  demoSrc,
			want: &File{
				Path: "user.rs",
				Structs: []*Struct{
					{
						Pos:   at(7, 12),
						Name:  "DemoUser",
						Doc:   "A user of the demo.",
						Attrs: []Attr{attr(at(6, 1), "derive", "rust2go::R2G, Clone")},
						Fields: []*Field{
							field(at(8, 9), "name", named(at(8, 15), "String")),
							field(at(9, 9), "age", named(at(9, 14), "u8")),
						},
					},
					{
						Pos:   at(13, 12),
						Name:  "DemoComplicatedRequest",
						Attrs: []Attr{attr(at(12, 1), "derive", "rust2go::R2G, Clone")},
						Fields: []*Field{
							field(at(14, 9), "users", named(at(14, 16), "Vec", named(at(14, 20), "DemoUser"))),
							field(at(15, 9), "balabala", named(at(15, 19), "Vec", named(at(15, 23), "u8"))),
						},
					},
				},
				Traits: []*Trait{{
					Pos:   at(19, 11),
					Name:  "DemoCall",
					Attrs: []Attr{attr(at(18, 1), "rust2go::r2g", "binding = binding, queue_size = 40960")},
					Methods: []*Method{
						{
							Pos:    at(20, 8),
							Name:   "demo_oneway",
							Params: []*Param{param(at(20, 20), "req", ref(at(20, 25), named(at(20, 26), "DemoUser")))},
						},
						{
							Pos:    at(21, 8),
							Name:   "demo_check",
							Params: []*Param{param(at(21, 19), "req", ref(at(21, 24), named(at(21, 25), "DemoComplicatedRequest")))},
							Ret:    named(at(21, 52), "DemoResponse"),
						},
						{
							Pos:    at(22, 8),
							Name:   "demo_check_async",
							Params: []*Param{param(at(23, 9), "req", ref(at(23, 14), named(at(23, 15), "DemoComplicatedRequest")))},
							Ret: withAssoc(implOf(at(24, 10), "std::future::Future"),
								"Output", at(24, 35), named(at(24, 44), "DemoResponse")),
						},
						{
							Pos:    at(26, 8),
							Name:   "demo_check_async_safe",
							Attrs:  []Attr{attr(at(25, 5), "drop_safe", "")},
							Params: []*Param{param(at(27, 9), "req", named(at(27, 14), "DemoComplicatedRequest"))},
							Ret: withAssoc(implOf(at(28, 10), "std::future::Future"),
								"Output", at(28, 35), tuple(at(28, 44),
									named(at(28, 45), "DemoResponse"),
									named(at(28, 59), "DemoComplicatedRequest"))),
						},
					},
				}},
			},
		},
		{
			name: "struct forms",
			src: `#[derive(Clone)]
#[repr(C)]
pub(crate) struct A {
    #[serde(rename = "x")]
    pub(super) x: u8,
    pub(self) y: u16,
    pub(in crate::m) z: u32,
    w: i64
}
struct B { b: bool, }
struct Empty {}
`,
			want: &File{
				Path: "user.rs",
				Structs: []*Struct{
					{
						Pos:   at(3, 19),
						Name:  "A",
						Attrs: []Attr{attr(at(1, 1), "derive", "Clone"), attr(at(2, 1), "repr", "C")},
						Fields: []*Field{
							field(at(5, 16), "x", named(at(5, 19), "u8")),
							field(at(6, 15), "y", named(at(6, 18), "u16")),
							field(at(7, 22), "z", named(at(7, 25), "u32")),
							field(at(8, 5), "w", named(at(8, 8), "i64")),
						},
					},
					{Pos: at(10, 8), Name: "B", Fields: []*Field{field(at(10, 12), "b", named(at(10, 15), "bool"))}},
					{Pos: at(11, 8), Name: "Empty"},
				},
			},
		},
		{
			name: "enum",
			src: `#[repr(u8)]
pub enum E {
    /// The first.
    A,
    B = 3,
    C(String, Vec<u8>),
    D { f: u8, g: &'static str },
    #[default]
    F = -(1 << 2),
    G(),
    H {}
}
enum One { X }
`,
			want: &File{
				Path: "user.rs",
				Enums: []*Enum{
					{
						Pos:   at(2, 10),
						Name:  "E",
						Attrs: []Attr{attr(at(1, 1), "repr", "u8")},
						Variants: []*Variant{
							{Pos: at(4, 5), Name: "A", Doc: "The first."},
							{Pos: at(5, 5), Name: "B", Discriminant: "3"},
							{Pos: at(6, 5), Name: "C", Kind: TupleVariant, Types: []*Type{
								named(at(6, 7), "String"),
								named(at(6, 15), "Vec", named(at(6, 19), "u8")),
							}},
							{Pos: at(7, 5), Name: "D", Kind: StructVariant, Fields: []*Field{
								field(at(7, 9), "f", named(at(7, 12), "u8")),
								field(at(7, 16), "g", ref(at(7, 19), named(at(7, 28), "str"))),
							}},
							{Pos: at(9, 5), Name: "F", Discriminant: "-(1 << 2)"},
							{Pos: at(10, 5), Name: "G", Kind: TupleVariant},
							{Pos: at(11, 5), Name: "H", Kind: StructVariant},
						},
					},
					{Pos: at(13, 6), Name: "One", Variants: []*Variant{{Pos: at(13, 12), Name: "X"}}},
				},
			},
		},
		{
			name: "trait",
			src: `/// Calls into Go.
#[rust2go::r2g]
pub trait T {
    /// Does a.
    #[mem]
    async fn a(mut q: u8, _: &mut [u8], r#type: i32) -> (u8, bool);
    fn b();
    fn c(x: u8,) -> ();
}
trait Empty {}
`,
			want: &File{
				Path: "user.rs",
				Traits: []*Trait{
					{
						Pos:   at(3, 11),
						Name:  "T",
						Doc:   "Calls into Go.",
						Attrs: []Attr{attr(at(2, 1), "rust2go::r2g", "")},
						Methods: []*Method{
							{
								Pos:   at(6, 14),
								Name:  "a",
								Doc:   "Does a.",
								Attrs: []Attr{attr(at(5, 5), "mem", "")},
								Async: true,
								Params: []*Param{
									param(at(6, 20), "q", named(at(6, 23), "u8")),
									param(at(6, 27), "_", refMut(at(6, 30), slice(at(6, 35), named(at(6, 36), "u8")))),
									param(at(6, 41), "type", named(at(6, 49), "i32")),
								},
								Ret: tuple(at(6, 57), named(at(6, 58), "u8"), named(at(6, 62), "bool")),
							},
							{Pos: at(7, 8), Name: "b"},
							{Pos: at(8, 8), Name: "c", Params: []*Param{param(at(8, 10), "x", named(at(8, 13), "u8"))}, Ret: tuple(at(8, 21))},
						},
					},
					{Pos: at(10, 7), Name: "Empty"},
				},
			},
		},
		{
			name: "aliases",
			src:  "type A = u8;\npub type B = Vec<A>;\n",
			want: &File{
				Path: "user.rs",
				Aliases: []*Alias{
					{Pos: at(1, 6), Name: "A", Type: named(at(1, 10), "u8")},
					{Pos: at(2, 10), Name: "B", Type: named(at(2, 14), "Vec", named(at(2, 18), "A"))},
				},
			},
		},
		{
			name: "skipped items",
			src: `#![allow(dead_code)]
#![cfg_attr(test, allow(unused))]
//! Crate docs.
use std::collections::{HashMap, HashSet};
pub use self::a::*;
extern crate alloc;
mod a;
pub mod binding {
    rust2go::r2g_include_binding!();
    struct Ignored(u8);
}
impl Foo for Bar {
    fn f(&self) -> char { match x { _ => '}' } }
}
impl<'a> X<'a> {}
fn helper(x: &str) -> String { format!("{}}}", x) }
pub(crate) fn helper2() {}
const X: [u8; 2] = [1, 2];
const _: () = { let _ = "}"; };
const fn c() -> u8 { 1 }
static Y: &str = "a;b";
extern "C" { fn puts(s: *const u8); }
extern "C" fn cb() {}
unsafe impl Send for A {}
unsafe fn u() {}
async fn g() {}
macro_rules! m { ($x:expr) => { $x }; }
m!(a; b);
m![c];
m! { d }
::std::println!("x");
pub struct Kept { x: u8 }
`,
			want: &File{
				Path:    "user.rs",
				Structs: []*Struct{{Pos: at(32, 12), Name: "Kept", Fields: []*Field{field(at(32, 19), "x", named(at(32, 22), "u8"))}}},
			},
		},
		{
			name: "doc comments",
			src: `//! Inner docs are ignored.
/*! So are these. */
/// Line one.
///   indented
///
///no space
#[derive(Clone)]
/** Block. */
#[doc = " From an attribute."]
#[doc(hidden)]
//// Not a doc comment.
/*** Not one either. */
/**/
#[doc = r#"Raw "quoted"."#]
pub struct D {
    /**
     * Starred
     *   block.
     */
    a: u8,
    /// Field doc.   
    #[serde(rename = "x")]
    b: u8,
    /// Dangling doc comments document nothing.
}
`,
			want: &File{
				Path: "user.rs",
				Structs: []*Struct{{
					Pos:   at(15, 12),
					Name:  "D",
					Doc:   "Line one.\n  indented\n\nno space\nBlock.\nFrom an attribute.\nRaw \"quoted\".",
					Attrs: []Attr{attr(at(7, 1), "derive", "Clone")},
					Fields: []*Field{
						{Pos: at(20, 5), Name: "a", Doc: "Starred\n  block.", Type: named(at(20, 8), "u8")},
						{Pos: at(23, 5), Name: "b", Doc: "Field doc.", Type: named(at(23, 8), "u8")},
					},
				}},
			},
		},
		{
			name: "attribute forms",
			src: `#[a]
#[b::c::d(x, (y), [z])]
#[e[1, 2]]
#[f{ g }]
#[h = "i"]
#[j = 3]
#[ k :: l ( m ) ]
#[cfg_attr(feature = "x", derive(Y))]
#[n(r#"a "]" b"#, ']', '\'', b"\x00", br"\", "\"]", 'a, 0x10, 1_000u32, 1.5, /* ] */ ok)]
struct S { x: u8 }
`,
			want: &File{
				Path: "user.rs",
				Structs: []*Struct{{
					Pos:  at(10, 8),
					Name: "S",
					Attrs: []Attr{
						attr(at(1, 1), "a", ""),
						attr(at(2, 1), "b::c::d", "x, (y), [z]"),
						attr(at(3, 1), "e", "1, 2"),
						attr(at(4, 1), "f", "g"),
						attr(at(5, 1), "h", `"i"`),
						attr(at(6, 1), "j", "3"),
						attr(at(7, 1), "k::l", "m"),
						attr(at(8, 1), "cfg_attr", `feature = "x", derive(Y)`),
						attr(at(9, 1), "n", `r#"a "]" b"#, ']', '\'', b"\x00", br"\", "\"]", 'a, 0x10, 1_000u32, 1.5, /* ] */ ok`),
					},
					Fields: []*Field{field(at(10, 12), "x", named(at(10, 15), "u8"))},
				}},
			},
		},
		{
			name: "raw identifiers and comments",
			src:  "struct r#type { /* a /* nested */ comment */ r#fn: r#u8, // line\n}\n",
			want: &File{
				Path:    "user.rs",
				Structs: []*Struct{{Pos: at(1, 8), Name: "type", Fields: []*Field{field(at(1, 46), "fn", named(at(1, 52), "u8"))}}},
			},
		},
		{
			name: "byte order mark and CRLF",
			src:  "\uFEFFstruct A {\r\n    /// Doc.\r\n    x: u8,\r\n}\r\n",
			want: &File{
				Path:    "user.rs",
				Structs: []*Struct{{Pos: at(1, 11), Name: "A", Fields: []*Field{{Pos: at(3, 5), Name: "x", Doc: "Doc.", Type: named(at(3, 8), "u8")}}}},
			},
		},
		{
			name: "empty file",
			src:  "",
			want: &File{Path: "user.rs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.src)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTypes(t *testing.T) {
	// Each type is parsed as `type T = <type>;`, so it starts at column 10.
	tests := []struct {
		src  string
		want *Type
	}{
		{"i64", named(at(1, 10), "i64")},
		{"String", named(at(1, 10), "String")},
		{"std::string::String", named(at(1, 10), "std::string::String")},
		{"::std::vec::Vec<u8>", named(at(1, 10), "std::vec::Vec", named(at(1, 26), "u8"))},
		{"crate::m::Self_", named(at(1, 10), "crate::m::Self_")},
		{"Self", named(at(1, 10), "Self")},
		{"Vec<Vec<DemoUser>>", named(at(1, 10), "Vec", named(at(1, 14), "Vec", named(at(1, 18), "DemoUser")))},
		{"Vec<Vec<Vec<u8>>>", named(at(1, 10), "Vec", named(at(1, 14), "Vec", named(at(1, 18), "Vec", named(at(1, 22), "u8"))))},
		{"Vec<Vec<u8> >", named(at(1, 10), "Vec", named(at(1, 14), "Vec", named(at(1, 18), "u8")))},
		{"HashMap<String, u64>", named(at(1, 10), "HashMap", named(at(1, 18), "String"), named(at(1, 26), "u64"))},
		{"HashMap<String, u64,>", named(at(1, 10), "HashMap", named(at(1, 18), "String"), named(at(1, 26), "u64"))},
		{"Option<Box<Node>>", named(at(1, 10), "Option", named(at(1, 17), "Box", named(at(1, 21), "Node")))},
		{"Vec::<u8>", named(at(1, 10), "Vec", named(at(1, 16), "u8"))},
		{"Cow<'a, str>", named(at(1, 10), "Cow", named(at(1, 18), "str"))},
		{"Foo<'a>", named(at(1, 10), "Foo")},
		{"Future<Output = T>", withAssoc(named(at(1, 10), "Future"), "Output", at(1, 17), named(at(1, 26), "T"))},
		{"&T", ref(at(1, 10), named(at(1, 11), "T"))},
		{"&mut T", refMut(at(1, 10), named(at(1, 15), "T"))},
		{"&'a T", ref(at(1, 10), named(at(1, 14), "T"))},
		{"&'a mut T", refMut(at(1, 10), named(at(1, 18), "T"))},
		{"&'static str", ref(at(1, 10), named(at(1, 19), "str"))},
		{"&&u8", ref(at(1, 10), ref(at(1, 11), named(at(1, 12), "u8")))},
		{"()", tuple(at(1, 10))},
		{"(A,)", tuple(at(1, 10), named(at(1, 11), "A"))},
		{"(A, B)", tuple(at(1, 10), named(at(1, 11), "A"), named(at(1, 14), "B"))},
		{"(A, B,)", tuple(at(1, 10), named(at(1, 11), "A"), named(at(1, 14), "B"))},
		{"(A)", named(at(1, 11), "A")},
		{"((A, B))", tuple(at(1, 11), named(at(1, 12), "A"), named(at(1, 15), "B"))},
		{"[T; 16]", array(at(1, 10), named(at(1, 11), "T"), "16")},
		{"[T; N * 2]", array(at(1, 10), named(at(1, 11), "T"), "N * 2")},
		{"[[u8; 4]; { N }]", array(at(1, 10), array(at(1, 11), named(at(1, 12), "u8"), "4"), "{ N }")},
		{"[T]", slice(at(1, 10), named(at(1, 11), "T"))},
		{"&[u8]", ref(at(1, 10), slice(at(1, 11), named(at(1, 12), "u8")))},
		{"impl std::future::Future<Output = T>", withAssoc(implOf(at(1, 10), "std::future::Future"), "Output", at(1, 35), named(at(1, 44), "T"))},
		{"impl Future<Output = T> + Send + 'static", func() *Type {
			t := withAssoc(implOf(at(1, 10), "Future"), "Output", at(1, 22), named(at(1, 31), "T"))
			t.Bounds = []string{"Send", "'static"}
			return t
		}()},
		{"impl Iterator<Item = u8> + ?Sized + Into< Vec<u8> > + use<'a, T>", func() *Type {
			t := withAssoc(implOf(at(1, 10), "Iterator"), "Item", at(1, 24), named(at(1, 31), "u8"))
			t.Bounds = []string{"?Sized", "Into<Vec<u8>>", "use<'a,T>"}
			return t
		}()},
		{"Vec<impl Into<String>>", named(at(1, 10), "Vec", implOf(at(1, 14), "Into", named(at(1, 24), "String")))},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got := mustParse(t, "type T = "+tt.src+";")
			want := &File{Path: "user.rs", Aliases: []*Alias{{Pos: at(1, 6), Name: "T", Type: tt.want}}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTypePositionsAcrossLines(t *testing.T) {
	src := "struct A {\n    a: u8,\n    b:     Vec<\n        u8,\n    >,\n}\n"
	f := mustParse(t, src)
	b := f.Structs[0].Fields[1]
	if b.Pos != at(3, 5) || b.Type.Pos != at(3, 12) || b.Type.Args[0].Pos != at(4, 9) {
		t.Errorf("positions: field %v, type %v, arg %v; want 3:5, 3:12, 4:9", b.Pos, b.Type.Pos, b.Type.Args[0].Pos)
	}
	// Multi-byte characters count as their bytes.
	f = mustParse(t, "/* é */ struct A { x: u8 }")
	if got := f.Structs[0].Pos; got != at(1, 17) {
		t.Errorf("struct after é at %v, want 1:17", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		// Lexical errors.
		{"unterminated block comment", "struct A { x: u8 }\n/* a /* b */", "user.rs:2:1: unterminated block comment"},
		{"unterminated string", "struct A { x: u8 }\n#[doc = \"abc]\nstruct B {}", "user.rs:2:9: unterminated string literal"},
		{"unterminated raw string", "#[doc = r#\"abc\"]\nstruct B {}", "user.rs:1:9: unterminated string literal"},
		{"unterminated char", "#[a('\\n)]\nstruct B {}", "user.rs:1:5: unterminated character literal"},
		{"empty char", "#[a('')]\nstruct B {}", "user.rs:1:5: empty character literal"},
		{"unknown escape", "#[a(\"\\q\")]\nstruct B {}", "user.rs:1:6: unknown character escape `\\q`"},
		{"bad hex escape", "#[a(\"\\x4\")]\nstruct B {}", "user.rs:1:6: invalid `\\x` escape"},
		{"bad unicode escape", "#[a('\\u{D800}')]\nstruct B {}", "user.rs:1:6: invalid `\\u` escape"},
		{"unexpected character", "struct A { x: u8 }\nstruct B { x: u8€€ }", "user.rs:2:17: unexpected character `€`"},
		{"control character", "struct A { x: u8\x07 }", "user.rs:1:17: unexpected character U+0007"},
		{"invalid UTF-8", "struct A { x: u8 \xff }", "user.rs:1:18: invalid UTF-8 encoding"},
		{"raw self", "struct r#self { x: u8 }", "user.rs:1:8: `self` cannot be a raw identifier"},

		// Items.
		{"not an item", "struct A { x: u8 }\nlet x = 5;", "user.rs:2:1: expected an item (`struct`, `enum`, `trait` or `type`), found keyword `let`"},
		{"stray semicolon", "struct A { x: u8 };", "user.rs:1:19: expected an item (`struct`, `enum`, `trait` or `type`), found `;`\n\thint: remove the `;`"},
		{"stray brace", "struct A { x: u8 }}", "user.rs:1:19: expected an item (`struct`, `enum`, `trait` or `type`), found `}`"},
		{"attributes without item", "#[derive(Clone)]", "user.rs:1:17: expected an item (`struct`, `enum`, `trait` or `type`), found end of file"},
		{"keyword as name", "struct fn { x: u8 }", "user.rs:1:8: expected identifier, found keyword `fn`\n\thint: write `r#fn` to use `fn` as a name"},
		{"reserved keyword as name", "struct A { box: u8 }", "user.rs:1:12: expected identifier, found reserved keyword `box`\n\thint: write `r#box` to use `box` as a name"},
		{"underscore as name", "struct _ { x: u8 }", "user.rs:1:8: expected identifier, found `_`"},
		{"union", "union U { a: u8, b: u16 }", "user.rs:1:1: unions are not supported"},
		{"inner attribute after item", "struct A { x: u8 }\n#![allow(x)]", "user.rs:2:1: inner attributes are only allowed at the top of the file"},
		{"bad visibility", "pub(foo) struct A { x: u8 }", "user.rs:1:4: incorrect visibility restriction\n\thint: use `pub(crate)`, `pub(super)`, `pub(self)` or `pub(in path)`"},
		{"bad visibility path", "pub(in a b) struct A { x: u8 }", "user.rs:1:10: expected `)` after visibility path, found `b`"},
		{"unterminated use", "use a::b\nstruct A { x: u8 }", "user.rs:2:1: expected `;`, found keyword `struct`"},
		{"unterminated impl", "impl A", "user.rs:1:7: expected `{` or `;`, found end of file"},
		{"unclosed skipped item", "mod a {\n    fn f() {\n", "user.rs:1:7: unclosed delimiter `{`"},
		{"mismatched delimiter", "mod a { f(] }", "user.rs:1:11: mismatched closing delimiter `]`"},
		{"stray closer in skipped item", "fn f() ) {}", "user.rs:1:8: unexpected closing delimiter `)`"},
		{"macro without body", "m! x\nstruct A { x: u8 }", "user.rs:2:1: expected `(`, `[` or `{` after `m!`, found keyword `struct`"},

		// Attributes.
		{"attribute without bracket", "# struct A { x: u8 }", "user.rs:1:3: expected `[` after `#`, found keyword `struct`"},
		{"attribute without name", "#[] struct A { x: u8 }", "user.rs:1:3: expected an attribute name, found `]`"},
		{"attribute not closed", "#[derive(Clone)\nstruct A { x: u8 }", "user.rs:2:1: expected `]` to close attribute `derive`, found keyword `struct`"},
		{"attribute without value", "#[doc = ] struct A { x: u8 }", "user.rs:1:9: expected a value after `=` in attribute `doc`"},

		// Structs.
		{"generic struct", "struct A<T> { x: T }", "user.rs:1:9: generic structs are not supported\n\thint: use concrete types"},
		{"tuple struct", "struct A(u8);", "user.rs:1:9: tuple structs are not supported\n\thint: give the fields names: `struct A { x: u8 }`"},
		{"unit struct", "struct A;", "user.rs:1:9: unit structs are not supported\n\thint: add at least one field"},
		{"struct where", "struct A where A: Copy { x: u8 }", "user.rs:1:10: where clauses are not supported"},
		{"struct without body", "struct A x: u8 }", "user.rs:1:10: expected `{` after struct name `A`, found `x`"},
		{"field without colon", "struct A {\n    age u8,\n}", "user.rs:2:9: expected `:` after field name `age`, found `u8`\n\thint: write `age: u8`"},
		{"field without colon or type", "struct A { age }", "user.rs:1:16: expected `:` after field name `age`, found `}`"},
		{"missing comma", "struct A { a: u8 b: u8 }", "user.rs:1:18: expected `,` or `}` after field `a`, found `b`"},
		{"missing comma at end of line", "struct A {\n    a: u8\n    b: u8\n}", "user.rs:3:5: expected `,` or `}` after field `a`, found `b`\n\thint: separate fields with `,`"},
		{"unclosed struct", "struct A {\n    a: u8,\n", "user.rs:1:10: unclosed delimiter `{`"},

		// Enums.
		{"generic enum", "enum E<T> { A(T) }", "user.rs:1:7: generic enums are not supported\n\thint: use concrete types"},
		{"enum where", "enum E where E: Copy { A }", "user.rs:1:8: where clauses are not supported"},
		{"enum without body", "enum E;", "user.rs:1:7: expected `{` after enum name `E`, found `;`"},
		{"missing variant comma", "enum E {\n    A\n    B\n}", "user.rs:3:5: expected `,` or `}` after variant `A`, found `B`\n\thint: separate variants with `,`"},
		{"bad tuple variant", "enum E { A(u8 u16) }", "user.rs:1:15: expected `,` or `)` in tuple variant `A`, found `u16`"},
		{"empty discriminant", "enum E { A = , B }", "user.rs:1:14: expected a discriminant expression after `=`"},
		{"unclosed enum", "enum E { A,", "user.rs:1:8: unclosed delimiter `{`"},

		// Traits.
		{"self", "trait T { fn a(self); }", "user.rs:1:16: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"&self", "trait T { fn a(&self, x: u8); }", "user.rs:1:16: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"&mut self", "trait T { fn a(&mut self); }", "user.rs:1:16: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"&'a self", "trait T { fn a(&'a self); }", "user.rs:1:16: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"mut self", "trait T { fn a(mut self); }", "user.rs:1:16: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"typed self", "trait T { fn a(x: u8, self: Box<Self>); }", "user.rs:1:23: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter"},
		{"default body", "trait T { fn a() -> u8 { 1 } }", "user.rs:1:24: trait method `a` must end with `;`, not a body\n\thint: replace the body with `;`"},
		{"generic method", "trait T { fn a<X>(x: X); }", "user.rs:1:15: generic methods are not supported\n\thint: use concrete types"},
		{"generic trait", "trait T<X> { fn a(); }", "user.rs:1:8: generic traits are not supported\n\thint: use concrete types"},
		{"supertrait", "trait T: Send { fn a(); }", "user.rs:1:8: supertraits are not supported"},
		{"trait where", "trait T where Self: Send { fn a(); }", "user.rs:1:9: where clauses are not supported"},
		{"method where", "trait T { fn a(x: u8) where u8: Copy; }", "user.rs:1:23: where clauses are not supported"},
		{"unsafe method", "trait T { unsafe fn a(); }", "user.rs:1:11: `unsafe` methods are not supported\n\thint: remove `unsafe`"},
		{"async unsafe method", "trait T { async unsafe fn a(); }", "user.rs:1:17: `unsafe` methods are not supported\n\thint: remove `unsafe`"},
		{"const method", "trait T { const fn a(); }", "user.rs:1:11: `const` methods are not supported\n\thint: remove `const`"},
		{"extern method", "trait T { extern \"C\" fn a(); }", "user.rs:1:11: `extern` methods are not supported\n\thint: remove `extern`"},
		{"unsafe trait", "unsafe trait T { fn a(); }", "user.rs:1:1: unsafe traits are not supported"},
		{"associated type", "trait T { type X; }", "user.rs:1:11: associated types are not supported in traits"},
		{"associated const", "trait T { const X: u8; }", "user.rs:1:11: associated consts are not supported in traits"},
		{"not a method", "trait T { pub fn a(); }", "user.rs:1:11: expected a trait method (`fn`), found keyword `pub`"},
		{"trait without body", "trait T;", "user.rs:1:8: expected `{` after trait name `T`, found `;`"},
		{"method without parens", "trait T { fn a; }", "user.rs:1:15: expected `(` after method name `a`, found `;`"},
		{"tuple pattern", "trait T { fn a((x, y): (u8, u8)); }", "user.rs:1:16: parameter patterns are not supported\n\thint: use a plain name"},
		{"struct pattern", "trait T { fn a(P { x }: P); }", "user.rs:1:16: parameter patterns are not supported\n\thint: use a plain name"},
		{"ref pattern", "trait T { fn a(ref x: u8); }", "user.rs:1:16: parameter patterns are not supported\n\thint: use a plain name"},
		{"mut tuple pattern", "trait T { fn a(mut (x, y): (u8, u8)); }", "user.rs:1:16: parameter patterns are not supported\n\thint: use a plain name"},
		{"parameter without colon", "trait T { fn a(x u8); }", "user.rs:1:18: expected `:` after parameter name `x`, found `u8`"},
		{"parameter keyword", "trait T { fn a(fn: u8); }", "user.rs:1:16: expected identifier, found keyword `fn`\n\thint: write `r#fn` to use `fn` as a name"},
		{"missing parameter comma", "trait T { fn a(x: u8 y: u8); }", "user.rs:1:22: expected `,` or `)` after parameter `x`, found `y`"},
		{"missing method semicolon", "trait T {\n    fn a()\n    fn b();\n}", "user.rs:3:5: expected `;` after method `a`, found keyword `fn`\n\thint: add `;` at the end of the method"},
		{"unclosed trait", "trait T { fn a();", "user.rs:1:9: unclosed delimiter `{`"},

		// Aliases.
		{"generic alias", "type A<T> = Vec<T>;", "user.rs:1:7: generic type aliases are not supported\n\thint: use concrete types"},
		{"alias without =", "type A;", "user.rs:1:7: expected `=` after type alias name `A`, found `;`"},
		{"alias without ;", "type A = u8\nstruct B { x: u8 }", "user.rs:2:1: expected `;` after type alias `A`, found keyword `struct`"},
		{"alias where", "type A = u8 where u8: Copy;", "user.rs:1:13: where clauses are not supported"},

		// Types.
		{"dyn", "struct A { x: Box<dyn Fn()> }", "user.rs:1:19: trait objects (`dyn`) are not supported"},
		{"fn pointer", "struct A { x: fn(u8) -> u8 }", "user.rs:1:15: function pointer types are not supported"},
		{"unsafe fn pointer", "struct A { x: unsafe extern \"C\" fn() }", "user.rs:1:15: function pointer types are not supported"},
		{"higher-ranked", "struct A { x: for<'a> fn(&'a u8) }", "user.rs:1:15: higher-ranked lifetimes (`for<...>`) are not supported"},
		{"const pointer", "struct A { x: *const u8 }", "user.rs:1:15: raw pointers are not supported\n\thint: use an owned type such as `Vec<u8>`"},
		{"mut pointer", "struct A {\n    x: *mut u8,\n}", "user.rs:2:8: raw pointers are not supported\n\thint: use an owned type such as `Vec<u8>`"},
		{"qualified path", "struct A { x: <T as X>::Y }", "user.rs:1:15: qualified paths are not supported"},
		{"never", "trait T { fn a() -> !; }", "user.rs:1:21: the never type is not supported"},
		{"inferred", "struct A { x: Vec<_> }", "user.rs:1:19: inferred types (`_`) are not supported"},
		{"not a type", "struct A { x: struct }", "user.rs:1:15: expected type, found keyword `struct`"},
		{"lifetime as type", "struct A { x: 'a }", "user.rs:1:15: expected type, found lifetime `'a`"},
		{"missing type", "struct A { x: }", "user.rs:1:15: expected type, found `}`"},
		{"bad tuple type", "struct A { x: (u8 u16) }", "user.rs:1:19: expected `,` or `)` in tuple type, found `u16`"},
		{"bad array type", "struct A { x: [u8 u16] }", "user.rs:1:19: expected `;` or `]` in array type, found `u16`"},
		{"array not closed", "struct A { x: [u8; 4) }", "user.rs:1:21: expected `]` to close array type, found `)`"},
		{"array without length", "struct A { x: [u8; ] }", "user.rs:1:20: expected an array length after `;`"},
		{"bad generic arguments", "struct A { x: HashMap<u8 u16> }", "user.rs:1:26: expected `,` or `>` in generic arguments, found `u16`"},
		{"generics not closed", "struct A { x: Vec<u8 }\nstruct B { y: u8 }", "user.rs:1:22: expected `,` or `>` in generic arguments, found `}`"},
		{"const generic", "struct A { x: Foo<16> }", "user.rs:1:19: const generic arguments are not supported"},
		{"generics in the middle", "struct A { x: Vec<u8>::Iter }", "user.rs:1:22: generic arguments are only supported on the last path segment"},
		{"parenthesized arguments", "type F = impl Fn(u8);", "user.rs:1:17: parenthesized type arguments (`Fn(...)`) are not supported"},
		{"macro type", "struct A { x: vec!(u8) }", "user.rs:1:18: macros in type position are not supported"},
		{"path ending in ::", "struct A { x: a:: }", "user.rs:1:19: expected identifier, found `}`"},
		{"impl without trait", "type F = impl 'static;", "user.rs:1:15: expected a trait after `impl`, found lifetime `'static`"},
		{"bad bound", "type F = impl Send + 3;", "user.rs:1:22: expected a trait bound, found `3`"},
		{"higher-ranked bound", "type F = impl Send + for<'a> Fn(&'a u8);", "user.rs:1:22: higher-ranked lifetimes (`for<...>`) are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("user.rs", []byte(tt.src))
			if f == nil {
				t.Fatal("Parse returned a nil *File")
			}
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error mismatch:\ngot:  %q\nwant: %q", got, tt.want)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Errorf("error is a %T, want ErrorList", err)
			}
		})
	}
}

func TestErrorsAreCollectedPerItem(t *testing.T) {
	src := `struct A<T> { x: T }

struct Good { x: u8 }

trait T {
    fn a(&self);
    fn b(&self);
}

enum E { A = }

type Fine = u8;
`
	f, err := Parse("user.rs", []byte(src))
	want := `user.rs:1:9: generic structs are not supported
	hint: use concrete types
user.rs:6:10: method ` + "`a`" + ` takes ` + "`self`" + `; r2go methods are associated functions
	hint: remove the ` + "`self`" + ` parameter
user.rs:10:14: expected a discriminant expression after ` + "`=`"
	if err == nil || err.Error() != want {
		t.Fatalf("errors:\n%v\nwant:\n%s", err, want)
	}
	if n := len(err.(ErrorList)); n != 3 {
		t.Errorf("got %d errors, want 3", n)
	}
	wantFile := &File{
		Path:    "user.rs",
		Structs: []*Struct{{Pos: at(3, 8), Name: "Good", Fields: []*Field{field(at(3, 15), "x", named(at(3, 18), "u8"))}}},
		Aliases: []*Alias{{Pos: at(12, 6), Name: "Fine", Type: named(at(12, 13), "u8")}},
	}
	if diff := cmp.Diff(wantFile, f); diff != "" {
		t.Errorf("partial file mismatch (-want +got):\n%s", diff)
	}
	for _, e := range err.(ErrorList) {
		if e.Path != "user.rs" {
			t.Errorf("error %v has path %q", e, e.Path)
		}
	}
}

// TestNoCascades checks that one mistake gives one error and that the items
// after it still parse.
func TestNoCascades(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
		kept []string // names of the structs that must survive
	}{
		{
			name: "missing closing brace",
			src:  "struct A {\n    x: u8,\n\n#[derive(Clone)]\npub struct B { y: u8 }\n",
			want: "user.rs:5:5: expected identifier, found keyword `struct`",
			kept: []string{"B"},
		},
		{
			name: "missing semicolon after alias",
			src:  "type A = u8\nstruct B { y: u8 }\n",
			want: "user.rs:2:1: expected `;` after type alias `A`, found keyword `struct`",
			kept: []string{"B"},
		},
		{
			name: "missing brace after struct name",
			src:  "struct A\n    x: u8,\n}\nstruct B { y: u8 }\n",
			want: "user.rs:2:5: expected `{` after struct name `A`, found `x`",
			kept: []string{"B"},
		},
		{
			name: "unterminated string inside an item",
			src:  "struct B { y: u8 }\nstruct A { x: \"oops }\nstruct C { z: u8 }\n",
			want: "user.rs:2:15: unterminated string literal",
			kept: []string{"B"},
		},
		{
			name: "unterminated comment inside an item",
			src:  "struct B { y: u8 }\nstruct A { /* x: u8 }\n",
			want: "user.rs:2:12: unterminated block comment",
			kept: []string{"B"},
		},
		{
			name: "bad character inside an item",
			src:  "struct A { x€: u8 }\nstruct B { y: u8 }\n",
			want: "user.rs:1:13: unexpected character `€`",
			kept: []string{"A", "B"},
		},
		{
			name: "garbage between items",
			src:  "struct A { x: u8 }\nthis is not { rust } at all;\nstruct B { y: u8 }\n",
			want: "user.rs:2:1: expected an item (`struct`, `enum`, `trait` or `type`), found `this`",
			kept: []string{"A", "B"},
		},
		{
			name: "broken attribute",
			src:  "#[derive(Clone]\nstruct A { x: u8 }\nstruct B { y: u8 }\n",
			want: "user.rs:1:15: mismatched closing delimiter `]`",
			kept: []string{"A", "B"}, // without its attribute
		},
		{
			name: "error inside a trait",
			src:  "trait T {\n    fn a(&self);\n    fn b(&mut self);\n}\nstruct B { y: u8 }\n",
			want: "user.rs:2:10: method `a` takes `self`; r2go methods are associated functions\n\thint: remove the `self` parameter",
			kept: []string{"B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("user.rs", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("errors:\n%v\nwant:\n%s", err, tt.want)
			}
			var kept []string
			for _, s := range f.Structs {
				kept = append(kept, s.Name)
			}
			if diff := cmp.Diff(tt.kept, kept); diff != "" {
				t.Errorf("structs kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNestingLimits(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("Vec<", n) + "u8" + strings.Repeat(">", n) }

	// 63 generic levels put u8 at depth 63: the deepest allowed.
	if _, err := Parse("user.rs", []byte("type T = "+nest(maxTypeDepth-1)+";")); err != nil {
		t.Errorf("nesting %d: %v", maxTypeDepth-1, err)
	}
	_, err := Parse("user.rs", []byte("type T = "+nest(maxTypeDepth)+";"))
	want := "user.rs:1:266: type nesting is too deep" // 9 + 64*4 + 1
	if err == nil || err.Error() != want {
		t.Errorf("nesting %d: got %v, want %s", maxTypeDepth, err, want)
	}

	// Far deeper input must fail cleanly, not overflow the stack.
	deep := []string{
		"type T = " + strings.Repeat("&", 1e5) + "u8;",
		"type T = " + strings.Repeat("(", 1e5) + "u8;",
		"type T = " + strings.Repeat("[", 1e5) + "u8;",
		"#[a" + strings.Repeat("(", 1e5) + "]",
		"mod m " + strings.Repeat("{", 1e5),
		strings.Repeat("{", 1e5),
	}
	for _, src := range deep {
		f, err := Parse("user.rs", []byte(src))
		if f == nil || err == nil {
			t.Errorf("%.20q...: got %v, %v; want a file and an error", src, f, err)
		}
	}
}

func TestLex(t *testing.T) {
	src := `r#type 'a 'a' '\n' '\u{1F600}' b'x' "s\t\"\u{e9}" r"raw\" r##"a "# b"## b"by" br"x" c"c" ` +
		`16 0x10 1_000u32 1.5 1e-3 1..2 :: -> => >> && ## /* /* */ */ x`
	type tok struct {
		kind tokenKind
		text string
		val  string
	}
	want := []tok{
		{tokIdent, "r#type", "type"},
		{tokLifetime, "'a", ""},
		{tokChar, "'a'", "a"},
		{tokChar, `'\n'`, "\n"},
		{tokChar, `'\u{1F600}'`, "\U0001F600"},
		{tokChar, "b'x'", "x"},
		{tokString, `"s\t\"\u{e9}"`, "s\t\"é"},
		{tokString, `r"raw\"`, `raw\`},
		{tokString, `r##"a "# b"##`, `a "# b`},
		{tokString, `b"by"`, "by"},
		{tokString, `br"x"`, "x"},
		{tokString, `c"c"`, "c"},
		{tokNumber, "16", ""},
		{tokNumber, "0x10", ""},
		{tokNumber, "1_000u32", ""},
		{tokNumber, "1.5", ""},
		{tokNumber, "1e-3", ""},
		{tokNumber, "1", ""},
		{tokPunct, ".", ""},
		{tokPunct, ".", ""},
		{tokNumber, "2", ""},
		{tokPunct, "::", ""},
		{tokPunct, "->", ""},
		{tokPunct, "=>", ""},
		{tokPunct, ">", ""},
		{tokPunct, ">", ""},
		{tokPunct, "&", ""},
		{tokPunct, "&", ""},
		{tokPunct, "#", ""},
		{tokPunct, "#", ""},
		{tokIdent, "x", "x"},
		{tokEOF, "", ""},
	}
	toks, errs := lex([]byte(src))
	if len(errs) > 0 {
		t.Fatalf("lex errors: %v", errs)
	}
	var got []tok
	for _, tk := range toks {
		val := tk.val
		if tk.kind == tokNumber || tk.kind == tokPunct || tk.kind == tokLifetime {
			val = ""
		}
		got = append(got, tok{tk.kind, tk.text, val})
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(tok{})); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
}

func TestShebang(t *testing.T) {
	f := mustParse(t, "#!/usr/bin/env rust-script\nstruct A { x: u8 }\n")
	if len(f.Structs) != 1 {
		t.Errorf("got %d structs, want 1", len(f.Structs))
	}
}

// TestLargeInputs guards against quadratic paths, each of which once took
// tens of seconds on input like this. The bound is generous; a linear parser
// needs a small fraction of it.
func TestLargeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 200000
	inputs := map[string]string{
		"broken items with bad characters": strings.Repeat("struct;€\n", n/9),
		"long path in garbage":             "x " + strings.Repeat("a::", n/3),
		"mismatched closers":               "mod a {" + strings.Repeat("(]", n/2) + "}",
		"unclosed structs":                 strings.Repeat("struct A {\n", n/11),
		"unclosed generics":                strings.Repeat("type A = Vec<\n", n/14),
	}
	for name, src := range inputs {
		start := time.Now()
		Parse("user.rs", []byte(src))
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}
