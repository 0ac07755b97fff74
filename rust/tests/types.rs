//! End-to-end round trips of every type beyond scalars, strings, vectors and
//! structs (Option, enums, maps, tuples, arrays, char, Box, &str, &[T]),
//! through the real c-archive, with exact expected values: empty, maximal
//! and deeply nested values, and a property test over random values.

mod common;
#[path = "common/values.rs"]
mod values;
use common::Rng;
use values::{empty, maximal};

use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};

use r2go_demo::user::{AllTypes, Color, DemoUser, Shape, TreeNode, TypesCall, TypesCallImpl};

/// A tree `depth` levels deep through `next` and through `children`.
fn deep_tree(depth: i64) -> TreeNode {
    let mut t = TreeNode::default();
    for i in 0..depth {
        t = TreeNode {
            value: i,
            children: vec![t.clone()],
            next: Some(Box::new(TreeNode {
                value: -i,
                children: vec![],
                next: None,
            })),
        };
    }
    t
}

fn deep_shape(depth: usize) -> Shape {
    let mut s = Shape::Rect {
        width: 2.0,
        height: 3.0,
    };
    for i in 0..depth {
        s = if i % 2 == 0 {
            Shape::Group(vec![s, Shape::Circle(1.0)])
        } else {
            Shape::Labeled {
                label: i.to_string(),
                inner: Box::new(s),
            }
        };
    }
    s
}

#[test]
fn empty_values_round_trip() {
    assert_eq!(TypesCallImpl::echo_all(&empty()), empty());
}

#[test]
fn maximal_values_round_trip() {
    assert_eq!(TypesCallImpl::echo_all(&maximal()), maximal());
}

#[test]
fn deeply_nested_values_round_trip() {
    let mut v = maximal();
    *v.tree = deep_tree(40);
    v.shape = deep_shape(200);
    v.maybe_maybe = Some(None);
    assert_eq!(TypesCallImpl::echo_all(&v), v);
    let t = Box::new(deep_tree(60));
    assert_eq!(TypesCallImpl::echo_tree(t.clone()), t);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_round_trips() {
    let calls: Vec<_> = (0..50)
        .map(|i| {
            let mut v = maximal();
            v.maybe_small = Some(i);
            (v.clone(), tokio::spawn(TypesCallImpl::echo_all_async(v)))
        })
        .collect();
    for (want, call) in calls {
        assert_eq!(call.await.unwrap(), want);
    }
}

#[test]
fn borrowed_parameters_arrive_whole() {
    let word: Vec<char> = "añ🦀".chars().collect();
    assert_eq!(
        TypesCallImpl::echo_borrowed("añ🦀", &[0, 1, 255], &word),
        ("añ🦀".to_string(), vec![0, 1, 255], word)
    );
    assert_eq!(
        TypesCallImpl::echo_borrowed("", &[], &[]),
        (String::new(), vec![], vec![])
    );
}

/// `#[borrow]`: Go reads the bytes where Rust lent them, clones what it
/// keeps, and a view kept past its call panics in Go when used, instead of
/// reading memory Rust no longer lends (also under cgocheck2, test.sh).
#[test]
fn borrowed_views_are_read_in_place_and_end_with_their_call() {
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(
        TypesCallImpl::clone_views("añ🦀", &bytes),
        ("añ🦀".to_string(), bytes.clone())
    );
    assert_eq!(TypesCallImpl::clone_views("", &[]), (String::new(), vec![]));
    let mut lent = b"lent for one call".to_vec();
    assert_eq!(
        TypesCallImpl::clone_views("kept", &lent),
        ("kept".to_string(), lent.clone())
    );
    lent.fill(0); // what Rust may do with its memory once the call returned
    for (which, kind) in [(0, "StringView"), (1, "BytesView")] {
        let p = catch_unwind(|| TypesCallImpl::use_kept_views(which)).unwrap_err();
        assert_eq!(
            common::panic_text(p),
            format!("Go handler of TypesCall::use_kept_views panicked: r2go: a {kind} was used after the call that lent it returned; Clone it inside the handler to keep the data")
        );
    }
}

#[test]
fn go_switches_over_every_variant() {
    assert_eq!(TypesCallImpl::area(&Shape::Circle(2.0)), 12.0);
    assert_eq!(
        TypesCallImpl::area(&Shape::Rect {
            width: 2.5,
            height: 4.0
        }),
        10.0
    );
    assert_eq!(TypesCallImpl::area(&Shape::Nothing), 0.0);
    // Rect 6, then each Group adds a Circle(1.0) of area 3: 100 groups.
    assert_eq!(TypesCallImpl::area(&deep_shape(200)), 306.0);
}

#[test]
fn unit_enums_are_go_constants() {
    assert_eq!(TypesCallImpl::next_color(Color::Red), Color::Green);
    assert_eq!(TypesCallImpl::next_color(Color::Green), Color::Blue);
    assert_eq!(TypesCallImpl::next_color(Color::Blue), Color::Red);
    assert_eq!(TypesCallImpl::color_name(Color::Blue), "Blue");
    assert_eq!(TypesCallImpl::color_of(10), Color::Blue);
    assert_eq!(TypesCallImpl::color_of(2), Color::Green);
}

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("the call should panic");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn unknown_discriminants_from_go_are_rejected() {
    assert_eq!(
        panic_message(|| {
            TypesCallImpl::color_of(3);
        }),
        "r2go: the result of TypesCall::color_of from Go cannot be decoded: 3 is not a variant of Color"
    );
}

#[test]
fn go_may_return_variants_by_pointer_but_not_nil() {
    assert_eq!(TypesCallImpl::circle_by_pointer(2.5), Shape::Circle(2.5));
    assert_eq!(
        panic_message(|| {
            TypesCallImpl::nil_shape();
        }),
        "Go handler of TypesCall::nil_shape panicked: r2go: cannot pass a nil Shape to Rust; set one of its variants"
    );
}

#[test]
fn chars_cross_both_ways() {
    assert_eq!(TypesCallImpl::upper('é'), 'É');
    assert_eq!(TypesCallImpl::upper('\u{10FFFF}'), '\u{10FFFF}');
    assert_eq!(TypesCallImpl::rune(0x10FFFF), '\u{10FFFF}');
    assert_eq!(TypesCallImpl::rune(0xD7FF), '\u{D7FF}');
    assert_eq!(TypesCallImpl::rune(0xE000), '\u{E000}');
}

#[test]
fn invalid_runes_from_go_are_rejected() {
    for (n, shown) in [
        (0xD800, "0xd800"),
        (0xDFFF, "0xdfff"),
        (0x110000, "0x110000"),
        (-1, "0xffffffff"),
    ] {
        assert_eq!(
            panic_message(|| {
                TypesCallImpl::rune(n);
            }),
            format!("r2go: the result of TypesCall::rune from Go cannot be decoded: {shown} is not a Unicode scalar value (a surrogate, or above 0x10ffff)")
        );
    }
}

#[test]
fn options_tuples_arrays_and_maps() {
    assert_eq!(TypesCallImpl::double(None), None);
    assert_eq!(TypesCallImpl::double(Some(21)), Some(42));
    assert_eq!(TypesCallImpl::double(Some(u32::MAX)), Some(u32::MAX - 1));
    assert_eq!(
        TypesCallImpl::swap((7, "seven".into())),
        ("seven".into(), 7)
    );
    assert_eq!(
        TypesCallImpl::reverse([1, 2, 3, u16::MAX]),
        [u16::MAX, 3, 2, 1]
    );
    let m: HashMap<String, u32> = [
        ("one".into(), 1),
        ("two".into(), 2),
        ("big".into(), u32::MAX),
    ]
    .into_iter()
    .collect();
    let inv = TypesCallImpl::invert(&m);
    assert_eq!(
        inv.into_iter().collect::<Vec<_>>(),
        vec![
            (1, "one".into()),
            (2, "two".into()),
            (u32::MAX, "big".into())
        ]
    );
    assert_eq!(TypesCallImpl::invert(&HashMap::new()), BTreeMap::new());
}

#[test]
fn unit_results_return_nothing() {
    let before = TypesCallImpl::colors_seen();
    let () = TypesCallImpl::note_color(Color::Green);
    TypesCallImpl::note_color(Color::Red);
    assert!(TypesCallImpl::colors_seen() >= before + 2);
}

/// Random values of the demo's types, from a seeded generator.
struct Gen(Rng);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0.next()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }
    fn len(&mut self) -> usize {
        // Mostly short, sometimes empty, now and then long.
        match self.below(10) {
            0 => 0,
            9 => self.below(200) as usize,
            _ => self.below(5) as usize,
        }
    }
    fn char(&mut self) -> char {
        loop {
            let n = match self.below(3) {
                0 => self.below(128) as u32,
                1 => self.below(0x800) as u32,
                _ => self.below(0x11_0000) as u32,
            };
            if let Some(c) = char::from_u32(n) {
                return c;
            }
        }
    }
    fn string(&mut self) -> String {
        (0..self.len()).map(|_| self.char()).collect()
    }
    fn float(&mut self) -> f64 {
        // Any finite value, including -0.0 and subnormals (NaN != NaN).
        loop {
            let f = f64::from_bits(self.next());
            if f.is_finite() {
                return f;
            }
        }
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if self.coin() {
            Some(f(self))
        } else {
            None
        }
    }
    fn vec<T>(&mut self, mut f: impl FnMut(&mut Self) -> T) -> Vec<T> {
        (0..self.len()).map(|_| f(self)).collect()
    }
    fn color(&mut self) -> Color {
        [Color::Red, Color::Green, Color::Blue][self.below(3) as usize]
    }
    fn shape(&mut self, depth: u32) -> Shape {
        match self.below(if depth == 0 { 2 } else { 5 }) {
            0 => Shape::Circle(self.float()),
            1 => Shape::Nothing,
            2 => Shape::Rect {
                width: self.float(),
                height: self.float(),
            },
            3 => Shape::Group((0..self.below(4)).map(|_| self.shape(depth - 1)).collect()),
            _ => Shape::Labeled {
                label: self.string(),
                inner: Box::new(self.shape(depth - 1)),
            },
        }
    }
    fn tree(&mut self, depth: u32) -> TreeNode {
        TreeNode {
            value: self.next() as i64,
            children: if depth == 0 {
                vec![]
            } else {
                (0..self.below(3)).map(|_| self.tree(depth - 1)).collect()
            },
            next: if depth == 0 {
                None
            } else {
                self.opt(|g| Box::new(g.tree(depth - 1)))
            },
        }
    }
    fn all(&mut self) -> AllTypes {
        AllTypes {
            maybe_small: self.opt(|g| g.next() as u8),
            maybe_big: self.opt(|g| g.next()),
            maybe_name: self.opt(|g| g.string()),
            maybe_user: self.opt(|g| DemoUser {
                name: g.string(),
                age: g.next() as u8,
            }),
            maybe_maybe: self.opt(|g| g.opt(|g| g.next() as i32)),
            maybe_letters: self.opt(|g| g.vec(|g| g.opt(|g| g.char()))),
            letter: self.char(),
            word: self.vec(|g| g.char()),
            color: self.color(),
            palette: self.vec(|g| g.color()),
            shape: self.shape(4),
            shapes: self.vec(|g| g.shape(2)),
            scores: self
                .vec(|g| (g.string(), g.next() as i64))
                .into_iter()
                .collect(),
            ordered: self
                .vec(|g| (g.next() as u32, g.vec(|g| g.string())))
                .into_iter()
                .collect(),
            by_color: self
                .vec(|g| (g.color(), g.opt(|g| g.shape(2))))
                .into_iter()
                .collect(),
            by_letter: self.vec(|g| (g.char(), g.coin())).into_iter().collect(),
            pair: (self.next() as u8, self.string()),
            nested: (
                (self.next() as i16, self.color()),
                self.opt(|g| (g.char(), g.float() as f32))
                    .filter(|(_, f)| f.is_finite()),
            ),
            digest: std::array::from_fn(|_| self.next() as u8),
            grid: std::array::from_fn(|_| std::array::from_fn(|_| self.next() as i32)),
            names: std::array::from_fn(|_| self.string()),
            tree: Box::new(self.tree(4)),
        }
    }
}

#[test]
fn random_values_round_trip() {
    for seed in 1..=300u64 {
        let mut g = Gen(Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1));
        let v = g.all();
        let back = TypesCallImpl::echo_all(&v);
        assert!(back == v, "seed {seed}: sent {v:?}\ngot back {back:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_values_round_trip_async() {
    for seed in 1..=100u64 {
        let mut g = Gen(Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1));
        let v = g.all();
        let back = TypesCallImpl::echo_all_async(v.clone()).await;
        assert!(back == v, "seed {seed}: sent {v:?}\ngot back {back:?}");
    }
}
