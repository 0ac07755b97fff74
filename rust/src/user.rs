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

/// The demo service, implemented in Go (handlers/demo/demo.go).
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

/// The error value `Outcomes` handlers return; every other failure (a plain
/// Go error, a panic, a call after shutdown) arrives through `From<GoError>`.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoError {
    pub code: u32,
    pub message: String,
    /// Whether it came from Go as a value (false: converted from a GoError).
    pub typed: bool,
}

impl From<r2go::GoError> for DemoError {
    fn from(e: r2go::GoError) -> Self {
        DemoError {
            code: 0,
            message: e.to_string(),
            typed: false,
        }
    }
}

/// A failure with data: Go returns one of its variants as the error.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub enum DemoFault {
    Timeout,
    Denied { reason: String },
    Other(String),
}

impl From<r2go::GoError> for DemoFault {
    fn from(e: r2go::GoError) -> Self {
        DemoFault::Other(e.to_string())
    }
}

/// A failure code: Go returns one of its constants as the error.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq)]
pub enum DemoCode {
    Busy = 1,
    Gone = 2,
    Unknown = 3,
}

impl From<r2go::GoError> for DemoCode {
    fn from(_: r2go::GoError) -> Self {
        DemoCode::Unknown
    }
}

/// Methods that fail in every way a Go handler can (handlers/demo/outcomes.go).
#[r2go::r2g]
pub trait Outcomes {
    /// `n / d`. Err("division by zero") when `d` is 0; a Go panic when `n`
    /// is 13.
    fn divide(n: i64, d: i64) -> Result<i64, String>;
    /// The user with this id. Code 0: Ok; 1..=99: Go returns `DemoError`
    /// with that code; 100..=199: a `*DemoError`, wrapped with `%w`;
    /// 200..: a plain Go error; 13: a panic.
    fn lookup(id: u32) -> Result<DemoUser, DemoError>;
    /// Mode 0: nil; 1: a plain error; 2: a panic.
    fn check(mode: u8) -> Result<(), r2go::GoError>;
    /// `op` 0: Ok(n * 2 + 1); 1: Err("odd <n>"); 2: a panic "panic <n>";
    /// 3: sleeps `n % 7` ms (or until cancelled), then Ok(n * 2 + 1).
    async fn work(op: u8, n: u64) -> Result<u64, String>;
    /// Sleeps `ms` milliseconds on the calling thread, then returns `ms`.
    fn hold_sync(ms: u32) -> u32;
    /// `lookup` on a goroutine.
    fn lookup_async(id: u32) -> impl std::future::Future<Output = Result<DemoUser, DemoError>>;
    /// Holds for `ms` milliseconds or until its context is cancelled; returns
    /// whether it was cancelled.
    async fn hold(ms: u32) -> Result<bool, r2go::GoError>;
    /// `kind` 0: Ok(0); 1: Go returns `DemoFaultTimeout{}`; 2: a wrapped
    /// `*DemoFaultDenied`; 3: a plain Go error; 4: a panic.
    fn guard(kind: u8) -> Result<u8, DemoFault>;
    /// `kind` 0: Ok; 1: Go returns `DemoCodeBusy`; 2: a wrapped
    /// `DemoCodeGone`; 3: a plain Go error.
    async fn status(kind: u8) -> Result<(), DemoCode>;
}

/// Registered in Go with `rt.MaxConcurrent(3)` (handlers/demo/outcomes.go).
#[r2go::r2g]
pub trait Limited {
    /// Sleeps `ms` milliseconds; returns how many `busy` handlers were
    /// running, this one included.
    async fn busy(ms: u32) -> u32;
    /// The most `busy` handlers that ever ran at once.
    fn peak() -> u32;
    /// Holds a place for `ms` milliseconds, then calls `runtime.Goexit`:
    /// the place must be released all the same.
    async fn busy_goexit(ms: u32) -> u32;
}

// Types beyond scalars, strings, vectors and structs, and the trait that
// round-trips them (handlers/demo/types.go).

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

/// Round trips of every type, implemented in Go (handlers/demo/types.go).
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
    /// Returns clones of what Go viewed in place (`#[borrow]`: no copy until
    /// the handler clones), and keeps the views for `use_kept_views`.
    #[borrow(s, b)]
    fn clone_views(s: &str, b: &[u8]) -> (String, Vec<u8>);
    /// Uses the views `clone_views` kept, after their call returned: Go
    /// panics instead of reading memory Rust no longer lends.
    fn use_kept_views(which: u8) -> u64;
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

/// Streams implemented in Go (handlers/demo/streams.go), registered with
/// `rt.StreamBuffer(16)`: each handler runs at most 16 items ahead of Rust.
#[r2go::r2g]
pub trait Streams {
    /// 0, 1, ..., n - 1.
    fn count(n: u64) -> impl futures_core::Stream<Item = u64>;
    /// `DemoUser { name: "user <i>", age: i % 100 }` for i in 0..n, then
    /// `mode` 0: the end; 1: a Go error "failed after <n>"; 2: a panic
    /// "panic after <n>"; 3: Go returns `DemoError { code: n, .. }`.
    fn users(n: u32, mode: u8) -> impl futures_core::Stream<Item = Result<DemoUser, DemoError>>;
    /// 0..n, then ends as `users` does for `mode` 0 to 2.
    fn numbers(n: u32, mode: u8) -> impl futures_core::Stream<Item = u32>;
    /// 0, 1, 2, ... until `Send` fails; the number of items sent so far is
    /// `sent(tag)`. Ends with the error of `Send`.
    fn endless(tag: u64) -> impl futures_core::Stream<Item = Result<u64, r2go::GoError>>;
    /// Sends 7, then waits for its context to end and returns its error.
    fn hold_open() -> impl futures_core::Stream<Item = Result<u8, r2go::GoError>>;
    /// How many items `endless(tag)` has sent.
    fn sent(tag: u64) -> u64;
    /// How many stream handlers found `Send` failing with their context
    /// cancelled (as it must be).
    fn stream_cancellations() -> u64;
    /// The values along `t`'s `next` chain, in order.
    fn walk(t: &TreeNode) -> impl futures_core::Stream<Item = Result<i64, r2go::GoError>>;
}

/// What an upload handler read: how many items and their sum.
#[derive(r2go::R2G, Debug, Clone, PartialEq)]
pub struct UploadSummary {
    pub count: u64,
    pub sum: u64,
}

/// Streams from Rust to Go (handlers/demo/uploads.go), registered with
/// `rt.StreamBuffer(16)`: at most 16 items wait in Go for the handler.
#[r2go::r2g]
pub trait Uploads {
    /// Reads every item, which must be 0, 1, 2, ... (an Err names the first
    /// that is not), and returns how many there were and their sum.
    async fn sum(
        items: impl futures_core::Stream<Item = u64>,
    ) -> Result<UploadSummary, r2go::GoError>;
    /// Reads at most `n` items, waiting `delay_us` microseconds after each
    /// (counted in `consumed(tag)`), then returns how many it read. Its
    /// buffer is 8 items, whatever the registration says.
    #[r2go(buffer = 8)]
    fn take(
        tag: u64,
        items: impl futures_core::Stream<Item = u64>,
        n: u64,
        delay_us: u32,
    ) -> impl std::future::Future<Output = u64>;
    /// Reads until the source fails or ends; `ended(tag)` is then what
    /// `Next` returned and whether the context was cancelled.
    async fn hold(
        tag: u64,
        items: impl futures_core::Stream<Item = u64>,
    ) -> Result<u64, r2go::GoError>;
    /// The names of the users, in order, until the stream's end; an error
    /// item ends it with the error `Next` returned.
    async fn names(
        items: impl futures_core::Stream<Item = Result<DemoUser, String>>,
    ) -> Result<Vec<String>, r2go::GoError>;
    /// How many trees it read before the stream ended; the stream's error
    /// (a tree too deep to lend) is returned as "after <n> trees: <error>".
    async fn trees(items: impl futures_core::Stream<Item = TreeNode>)
        -> Result<u64, r2go::GoError>;
    /// How many items the handler with `tag` has read.
    fn consumed(tag: u64) -> u64;
    /// "" while the handler with `tag` runs; then Next's last error text
    /// ("end" for a clean end), and " (cancelled)" when its context was.
    fn ended(tag: u64) -> String;
}

// Handlers that end calls in every hostile way (handlers/demo/hostile.go), for
// rust/tests/hostile.rs and the stress test.

/// A value whose `Drop` panics while [`fragile_armed`] is set: r2go must
/// decode and drop results on the caller, never inside Go's callback.
#[derive(r2go::R2G, Debug, PartialEq)]
pub struct Fragile {
    pub id: u64,
}

/// Whether dropping a [`Fragile`] panics.
pub fn fragile_armed() -> &'static std::sync::atomic::AtomicBool {
    static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    &ARMED
}

impl Drop for Fragile {
    fn drop(&mut self) {
        if fragile_armed().load(std::sync::atomic::Ordering::SeqCst) {
            panic!("Fragile {} dropped", self.id);
        }
    }
}

/// A struct without fields.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Empty {}

/// Handlers that misbehave on purpose (handlers/demo/hostile.go).
#[r2go::r2g]
pub trait Hostile {
    /// A chain of `n` nodes built in Go (values 0, 1, .. linked through
    /// `next`; `n` = 0 gives one node too): `n` levels deep.
    fn chain(n: u32) -> TreeNode;
    /// `chain` on a goroutine.
    async fn chain_async(n: u32) -> TreeNode;
    /// `chain` for a method that can fail.
    fn chain_result(n: u32) -> Result<TreeNode, r2go::GoError>;
    /// `chain_result` on a goroutine.
    async fn chain_result_async(n: u32) -> Result<TreeNode, r2go::GoError>;
    /// The number of nodes of `t` through `next`, counted in Go.
    fn chain_len(t: &TreeNode) -> u32;
    /// `chain_len` for a method that can fail.
    fn chain_len_result(t: &TreeNode) -> Result<u32, String>;
    /// `chain_len` on a goroutine.
    async fn chain_len_async(t: TreeNode) -> u32;
    /// A node whose `next` is itself: a cycle no encoding can hold.
    fn cycle() -> Result<TreeNode, r2go::GoError>;
    /// Sleeps `ms` milliseconds, then returns `Fragile { id }`.
    async fn fragile(ms: u32, id: u64) -> Fragile;
    /// `Fragile { id }` followed by the rune 0xD800, which Rust rejects
    /// after it has decoded the `Fragile`.
    fn fragile_then_invalid(id: u64) -> (Fragile, char);
    /// `fragile_then_invalid` on a goroutine.
    async fn fragile_then_invalid_async(id: u64) -> (Fragile, char);
    /// Sleeps `ms` milliseconds, then calls `runtime.Goexit`.
    async fn goexit(ms: u32) -> u64;
    /// `goexit` for a method that can fail.
    async fn goexit_result(ms: u32) -> Result<u64, r2go::GoError>;
    /// Calls `runtime.Goexit` on the calling thread, which Go does not allow
    /// on a thread it did not create: the process dies.
    fn goexit_sync() -> u64;
    /// Calls `panic(nil)`.
    fn nil_panic() -> u64;
    /// Calls `panic(nil)`; returns nothing.
    fn nil_panic_oneway();
    /// Calls `panic(nil)`, for a method that can fail.
    fn nil_panic_result() -> Result<u64, r2go::GoError>;
    /// Calls `panic(nil)` on a goroutine.
    async fn nil_panic_async() -> u64;
    /// `nil_panic_async` for a method that can fail.
    async fn nil_panic_result_async() -> Result<u64, r2go::GoError>;
    /// A user whose name is the bytes `ok\xff`.
    fn bad_utf8() -> DemoUser;
    /// `bad_utf8` for a method that can fail.
    fn bad_utf8_result() -> Result<DemoUser, r2go::GoError>;
    /// `bad_utf8_result` on a goroutine.
    async fn bad_utf8_result_async() -> Result<DemoUser, String>;
    /// Returns an error whose text is the bytes `bad \xff error`.
    fn bad_utf8_error() -> Result<(), String>;
    /// Panics with the bytes `bad \xfe panic`.
    fn bad_utf8_panic() -> Result<(), r2go::GoError>;
    /// Calls `rt.Shutdown(context.Background())` from inside the handler and
    /// returns its error text ("" for nil).
    fn shutdown_inside() -> String;
    /// `shutdown_inside` on a goroutine.
    async fn shutdown_inside_async() -> String;
    /// Returns `e`.
    fn empty(e: &Empty) -> Empty;
    /// Returns `e`.
    fn maybe_empty(e: Option<Empty>, one: (Empty,)) -> Option<Empty>;
    /// Starts a goroutine that panics: Go kills the process.
    fn panic_in_goroutine();
    /// Calls `os.Exit(code)`.
    fn exit(code: i32);
}

// Calls from Go to Rust: a trait implemented in Rust (rust/src/host.rs) and
// the Go handlers that call it while Rust calls them (handlers/demo/g2r.go).

/// Implemented in Rust and called from Go through `gen.RustSide`.
#[r2go::g2r]
pub trait RustSide {
    /// `a + b`, wrapping.
    fn add(a: i64, b: i64) -> i64;
    /// Returns `v`.
    fn echo_all(v: AllTypes) -> AllTypes;
    /// Returns `v` after `ms` milliseconds on the runtime's timer.
    async fn echo_all_async(ms: u32, v: AllTypes) -> AllTypes;
    /// `"{greeting}, {name} ({age})"`.
    fn greet(user: &DemoUser, greeting: &str) -> String;
    /// `n / d`; `Err("division by zero")` when `d` is 0.
    fn divide(n: i64, d: i64) -> Result<i64, String>;
    /// The user `id` (named `user{id}`, aged `id`) for `id` < 100; otherwise
    /// the error value `DemoError { code: 404, message: "no user {id}", typed: true }`.
    fn lookup(id: u32) -> Result<DemoUser, DemoError>;
    /// `lookup` on the runtime.
    fn lookup_async(
        id: u32,
    ) -> impl std::future::Future<Output = Result<DemoUser, DemoError>> + Send;
    /// `kind` 0: `Ok(7)`; 1: `DemoFault::Denied { reason: "no" }`; else `DemoFault::Timeout`.
    fn fault(kind: u8) -> Result<u8, DemoFault>;
    /// Panics with `message`.
    fn boom(message: String) -> u8;
    /// Panics with `message` when first polled.
    async fn boom_async(message: String) -> u8;
    /// Adds `n` to a counter (`host::noted`).
    fn note(n: u64);
    /// Returns `tag` after `ms` milliseconds on the runtime's timer (0: after
    /// yielding once, so that it is never ready at its first poll).
    async fn sleep_echo(ms: u32, tag: u64) -> u64;
    /// Never ends by itself; `host::pending_dropped` counts its dropped futures.
    async fn pending(tag: u64) -> u64;
    /// `Fragile { id }`, whose drop after Go copied it panics while armed.
    fn fragile(id: u64) -> Fragile;
    /// `fragile`, ready at its first poll (which runs on Go's thread).
    async fn fragile_async(id: u64) -> Fragile;
    /// Returns `t`.
    fn echo_tree(t: TreeNode) -> TreeNode;
    /// Returns `t` after yielding once, from a tokio task.
    async fn echo_tree_async(t: TreeNode) -> TreeNode;
}

/// Implemented in Go (handlers/demo/g2r.go): each handler calls `RustSide`.
#[r2go::r2g]
pub trait GoSide {
    /// Calls `add(a, b)` (sync) and then `sleep_echo(0, sum)` (async) from a
    /// sync handler; returns what `sleep_echo` returned.
    fn add_via_rust(a: i64, b: i64) -> Result<i64, String>;
    /// The same from an async handler, and from a goroutine it starts.
    async fn add_via_rust_async(a: i64, b: i64) -> Result<i64, String>;
    /// Sends `v` through `echo_all` and `echo_all_async(1, ..)`.
    fn echo_via_rust(v: &AllTypes) -> Result<(AllTypes, AllTypes), String>;
    /// `greet(user, greeting)`.
    fn greet_via_rust(user: &DemoUser, greeting: &str) -> Result<String, String>;
    /// Calls one `RustSide` method and describes what Go got: `ok <value>`,
    /// or `err <Go type>: <error text>`. `op` 0: `divide(n, 0)`, 1: `divide(n, 2)`,
    /// 2: `lookup(n)`, 3: `lookup_async(n)`, 4: `fault(n)`, 5: `boom("boom {n}")`,
    /// 6: `boom_async("boom {n}")`, 7: `note(n)`, 8: `fragile(n)`,
    /// 9: `fragile_async(n)`.
    fn outcome(op: u8, n: i64) -> String;
    /// Starts `n` goroutines that each await `sleep_echo(ms, i)`; returns
    /// how many got `i` back, or the first error.
    async fn fan_out(n: u32, ms: u32) -> Result<u32, String>;
    /// Awaits `pending(tag)` with a context that ends after `ms`
    /// milliseconds; returns the error Go got.
    async fn cancel_pending(ms: u32, tag: u64) -> String;
    /// Sends a chain of `n` nodes (as `Hostile::chain` builds it) through
    /// `echo_tree` and `echo_tree_async`; returns the lengths Go got back.
    fn deep_via_rust(n: u32) -> Result<(u32, u32), String>;
}
