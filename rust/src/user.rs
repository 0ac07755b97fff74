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
