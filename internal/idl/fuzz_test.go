package idl

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		demoSrc,
		"",
		"struct A { x: u8, y: Vec<Vec<u8>>, z: [u8; 16], w: &'static str, t: (u8,) }",
		"/// Doc.\n#[derive(Clone)]\npub(crate) enum E { A, B = 3, C(u8, String), D { f: u8 } }",
		"#![allow(x)]\ntrait T { #[drop_safe] async fn a(mut q: u8, _: &mut [u8]) -> impl Future<Output = u8> + Send + 'static; }",
		"type A = ::std::collections::HashMap<String, Option<Box<Node>>>;",
		"use a::{b, c};\nmod m { fn f() -> char { '}' } }\nmacro_rules! m { () => {} }\nm!{}\nimpl A {}\n",
		"#[a(r#\"]\"#, b'\\x00', \"\\u{1F600}\", 0x10, 1_000u32, 1.5)] struct S { r#type: u8 }",
		// Broken input.
		"struct A<T> { x: T }\ntrait T { fn a(&self); }\nenum E { A = }",
		"struct A {\n    x: u8,\n\npub struct B { y: Vec<u8 }",
		"struct A { x: \"unterminated }",
		"/* /* unterminated */ struct A {}",
		"trait T { fn a((x, y): (u8, u8)) {} }\nunion U { a: u8 }\nlet x = 'a",
		"#[derive(Clone]\nstruct A { x: dyn Fn() -> *const ! }\n}}}",
		"\xff\x00€ struct r#self { x: <T as X>::Y, y: _ }",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("user.rs", src)
		if file == nil {
			t.Fatal("Parse returned a nil *File")
		}
		if err == nil {
			return
		}
		list, ok := err.(ErrorList)
		if !ok {
			t.Fatalf("error is a %T, want ErrorList", err)
		}
		if len(list) == 0 {
			t.Fatal("empty ErrorList returned as an error")
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for i, e := range list {
			if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Line > lines+1 {
				t.Errorf("error %q at %v, outside the %d-line source", e.Msg, e.Pos, lines)
			}
			if e.Msg == "" {
				t.Errorf("error at %v has no message", e.Pos)
			}
			if prefix := fmt.Sprintf("user.rs:%d:%d: ", e.Pos.Line, e.Pos.Col); !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("error %q does not start with %q", e.Error(), prefix)
			}
			if i > 0 {
				p, q := list[i-1].Pos, e.Pos
				if q.Line < p.Line || q.Line == p.Line && q.Col < p.Col {
					t.Errorf("errors out of order: %v before %v", p, q)
				}
			}
		}
	})
}
