//! The workloads of the benchmark suite, as an r2go interface. Every peer
//! declares the same shape in its own terms.
//!
//! After editing: `go run ./cmd/rust2go-cli --src bench/r2go/src/user.rs --dst bench/r2go/gen/gen.go`.

/// One element of the struct workload.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Item {
    pub name: String,
    pub tag: u8,
}

/// The struct workload's argument and result.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Items {
    pub items: Vec<Item>,
}

/// The bench service, implemented in Go (bench/r2go/handlers).
#[r2go::r2g]
pub trait Bench {
    /// `a + b`, wrapping.
    fn add(a: i64, b: i64) -> i64;
    /// The number of bytes received.
    fn bytes(data: &Vec<u8>) -> u64;
    /// The number of bytes received, which Go views in place (no copy).
    #[borrow(data)]
    fn bytes_view(data: &[u8]) -> u64;
    /// Returns the items it was given.
    fn items(req: &Items) -> Items;
    /// Returns `x` from a goroutine.
    async fn echo(x: u64) -> u64;
    /// Blocks in Go until `release`, then returns `x`.
    async fn hold(x: u64) -> u64;
    /// How many `hold` calls are blocked now.
    fn held() -> u64;
    /// Lets every blocked `hold` call return.
    fn release();
    /// 0, 1, ..., n - 1, as a stream.
    fn count(n: u64) -> impl r2go::Stream<Item = u64>;
    /// The sum of the items, which must be 0, 1, 2, ... (u64::MAX if not).
    async fn sum(items: impl r2go::Stream<Item = u64>) -> u64;
    /// Calls `Host::add(i, 1)` from Go for i in 0..n; returns the sum of the
    /// results.
    fn g2r_add_loop(n: u64) -> i64;
    /// Awaits `Host::echo(i)` (or, with `yielding`, `Host::echo_task(i)`)
    /// from Go, n calls spread over `tasks` goroutines each calling back to
    /// back; returns the sum of the results.
    async fn g2r_echo_loop(n: u64, tasks: u32, yielding: bool) -> u64;
}

/// The Rust host the g2r workloads call from Go (bench/r2go/src/host.rs).
#[r2go::g2r]
pub trait Host {
    /// `a + b`, wrapping.
    fn add(a: i64, b: i64) -> i64;
    /// Returns `x`: ready at its first poll, which runs on Go's thread.
    async fn echo(x: u64) -> u64;
    /// Returns `x` after yielding once: a tokio task.
    async fn echo_task(x: u64) -> u64;
}
