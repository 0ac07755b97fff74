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

/// Methods that fail in every way a Go handler can (handlers/outcomes.go).
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
    /// `lookup` on a goroutine.
    fn lookup_async(id: u32) -> impl std::future::Future<Output = Result<DemoUser, DemoError>>;
    /// Holds for `ms` milliseconds or until its context is cancelled; returns
    /// whether it was cancelled.
    async fn hold(ms: u32) -> Result<bool, r2go::GoError>;
}

/// Registered in Go with `rt.MaxConcurrent(3)` (handlers/outcomes.go).
#[r2go::r2g]
pub trait Limited {
    /// Sleeps `ms` milliseconds; returns how many `busy` handlers were
    /// running, this one included.
    async fn busy(ms: u32) -> u32;
    /// The most `busy` handlers that ever ran at once.
    fn peak() -> u32;
}
