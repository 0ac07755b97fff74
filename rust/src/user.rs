//! The interface between the demo host and its Go handlers.
//!
//! This file is plain Rust and the input of `rust2go-cli`, which generates the
//! Go side (`gen/gen.go`); build.rs generates the Rust side. After editing it,
//! run `go run ./cmd/rust2go-cli --src rust/src/user.rs --dst gen/gen.go`.

/// A user of the demo service.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

/// A request that carries users and opaque bytes.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoComplicatedRequest {
    pub users: Vec<DemoUser>,
    pub balabala: Vec<u8>,
}

/// The verdict on a request.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq)]
pub struct DemoResponse {
    pub pass: bool,
}

/// One field of every scalar type.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq)]
pub struct Scalars {
    pub flag: bool,
    pub tiny: i8,
    pub small: i16,
    pub medium: i32,
    pub large: i64,
    pub word: isize,
    pub utiny: u8,
    pub usmall: u16,
    pub umedium: u32,
    pub ularge: u64,
    pub uword: usize,
    pub single: f32,
    pub double: f64,
}

/// Vectors inside vectors, strings and structs inside vectors.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Nested {
    pub owner: DemoUser,
    pub matrix: Vec<Vec<u8>>,
    pub names: Vec<String>,
    pub groups: Vec<Vec<DemoUser>>,
    pub samples: Vec<Scalars>,
    pub deep: Vec<Vec<Vec<String>>>,
    pub values: Vec<f64>,
}

/// The demo service, implemented in Go (handlers/demo.go).
#[r2go::r2g]
pub trait DemoCall {
    /// Records `user` as the last one seen; a call without a result.
    fn demo_oneway(user: &DemoUser);
    /// Returns the user recorded by the last `demo_oneway`.
    fn last_user() -> DemoUser;
    /// Passes when there is at least one user, every user is 18 or older and
    /// `balabala` is not empty.
    fn demo_check(req: &DemoComplicatedRequest) -> DemoResponse;
    /// `demo_check` on a goroutine.
    fn demo_check_async(
        req: DemoComplicatedRequest,
    ) -> impl std::future::Future<Output = DemoResponse>;
    /// `a + b`, wrapping on overflow.
    fn add(a: i64, b: i64) -> i64;
    /// Negates `flag`, adds 1 to every integer (wrapping) and doubles the floats.
    fn bump(s: Scalars) -> Scalars;
    /// Returns "<greeting>, <name>!".
    fn greet(user: &DemoUser, greeting: String) -> String;
    /// Reverses every vector at every depth and every string, adds 1 to ages
    /// (wrapping), bumps every sample and negates every value.
    fn mirror(n: &Nested) -> Nested;
    /// `mirror` on a goroutine.
    async fn mirror_async(n: Nested) -> Nested;
    /// Sleeps `ms` milliseconds in Go, then returns `tag`.
    async fn sleep_echo(ms: u32, tag: u64) -> u64;
    /// Returns `n`; panics in Go when `n` is negative.
    fn non_negative(n: i64) -> i64;
    /// Panics in Go with `message`.
    async fn panic_async(message: String) -> u8;
    /// Waits until its context is cancelled or `max_ms` milliseconds pass and
    /// returns whether it was cancelled; counts the cancellations it saw.
    async fn wait_for_cancel(max_ms: u32) -> bool;
    /// How many `wait_for_cancel` calls saw their context cancelled.
    fn cancellations() -> u64;
    /// The GOEXPERIMENT setting the Go side was built with ("" for none).
    fn go_experiment() -> String;
}

// Types beyond scalars, strings, vectors and structs, and the trait that
// round-trips them (handlers/types.go).

use std::collections::{BTreeMap, HashMap};

/// A colour: an enum without data, with explicit discriminants.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Color {
    Red = 1,
    Green,
    Blue = 10,
}

/// A shape: an enum with every kind of variant, recursive through Vec and Box.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub enum Shape {
    Circle(f64),
    Rect { width: f64, height: f64 },
    Group(Vec<Shape>),
    Labeled { label: String, inner: Box<Shape> },
    Nothing,
}

/// A tree: recursive through `Vec<Self>` and `Option<Box<Self>>`.
#[derive(r2go::R2G, Clone, Debug, PartialEq, Default)]
pub struct TreeNode {
    pub value: i64,
    pub children: Vec<Self>,
    pub next: Option<Box<TreeNode>>,
}

/// One field of each type beyond the basic ones, nested in each other.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct AllTypes {
    pub maybe_small: Option<u8>,
    pub maybe_big: Option<u64>,
    pub maybe_name: Option<String>,
    pub maybe_user: Option<DemoUser>,
    pub maybe_maybe: Option<Option<i32>>,
    pub maybe_letters: Option<Vec<Option<char>>>,
    pub letter: char,
    pub word: Vec<char>,
    pub color: Color,
    pub palette: Vec<Color>,
    pub shape: Shape,
    pub shapes: Vec<Shape>,
    pub scores: HashMap<String, i64>,
    pub ordered: BTreeMap<u32, Vec<String>>,
    pub by_color: BTreeMap<Color, Option<Shape>>,
    pub by_letter: HashMap<char, bool>,
    pub pair: (u8, String),
    pub nested: ((i16, Color), Option<(char, f32)>),
    pub digest: [u8; 16],
    pub grid: [[i32; 3]; 2],
    pub names: [String; 3],
    pub tree: Box<TreeNode>,
}

/// Round trips of every type, implemented in Go (handlers/types.go).
#[r2go::r2g]
pub trait TypesCall {
    /// Returns `v` as Go received it.
    fn echo_all(v: &AllTypes) -> AllTypes;
    /// `echo_all` on a goroutine.
    async fn echo_all_async(v: AllTypes) -> AllTypes;
    /// Returns `t` as Go received it.
    fn echo_tree(t: Box<TreeNode>) -> Box<TreeNode>;
    /// Returns what Go received of the borrowed forms, as owned values.
    fn echo_borrowed(s: &str, b: &[u8], chars: &[char]) -> (String, Vec<u8>, Vec<char>);
    /// The area of `s`: circles count 3 per unit of radius squared, groups
    /// sum their shapes, labels count their inner shape.
    fn area(s: &Shape) -> f64;
    /// Red, Green, Blue, then Red again.
    fn next_color(c: Color) -> Color;
    /// The Go `String()` of `c`.
    fn color_name(c: Color) -> String;
    /// Returns `Color(n)` unchecked, so Rust sees unknown discriminants.
    fn color_of(n: i32) -> Color;
    /// `unicode.ToUpper` of `c`.
    fn upper(c: char) -> char;
    /// Returns the Go rune `n` unchecked, so Rust sees invalid chars.
    fn rune(n: i32) -> char;
    /// Twice `v`, wrapping; `None` stays `None`.
    fn double(v: Option<u32>) -> Option<u32>;
    /// The pair the other way round.
    fn swap(p: (u8, String)) -> (String, u8);
    /// The array in reverse order.
    fn reverse(a: [u16; 4]) -> [u16; 4];
    /// Each value mapped to its key.
    fn invert(m: &HashMap<String, u32>) -> BTreeMap<u32, String>;
    /// Counts `c` in Go (see `colors_seen`); returns nothing.
    fn note_color(c: Color) -> ();
    /// How many `note_color` calls Go has seen.
    fn colors_seen() -> u64;
    /// A circle of `radius`, returned by Go as a pointer to the variant struct.
    fn circle_by_pointer(radius: f64) -> Shape;
    /// Go returns a nil `Shape`, which Rust cannot receive.
    fn nil_shape() -> Shape;
}
