//! The workloads of the benchmark suite, as a Rust2Go interface: the same
//! shape as bench/r2go/src/user.rs. `CgoBench` uses Rust2Go's cgo mode (every
//! call a cgo call, with a cgo callback for results), `ShmBench` its
//! shared-memory mode (calls and results through rings, for async calls only).

pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!();
}

/// One element of the struct workload.
#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct Item {
    pub name: String,
    pub tag: u8,
}

/// The struct workload's argument and result.
#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct Items {
    pub items: Vec<Item>,
}

#[rust2go::r2g]
pub trait CgoBench {
    #[cgo_callback]
    fn add(a: i64, b: i64) -> i64;
    #[cgo_callback]
    fn bytes(data: &Vec<u8>) -> u64;
    #[cgo_callback]
    fn items(req: &Items) -> Items;
    #[cgo_callback]
    #[drop_safe]
    #[send]
    fn echo(x: u64) -> impl std::future::Future<Output = u64>;
    #[cgo_callback]
    #[drop_safe]
    #[send]
    fn hold(x: u64) -> impl std::future::Future<Output = u64>;
    #[cgo_callback]
    fn held() -> u64;
    fn release();
    /// Calls `G2rBench::add(i, 1)` from Go for i in 0..n; the sum of the results.
    #[cgo_callback]
    fn g2r_add_loop(n: u64) -> i64;
}

/// Go calls Rust: Rust2Go's `#[g2r]`, sync only (it has no async Go → Rust
/// calls), through a cgo call (`#[cgo_call]`; its default, an assembly
/// trampoline package, is not served by the Go module proxy reachable here).
#[rust2go::g2r]
pub trait G2rBench {
    #[cgo_call]
    fn add(a: i64, b: i64) -> i64;
}

impl G2rBench for G2rBenchImpl {
    fn add(a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
}

/// A number as a struct: Rust2Go's shared-memory mode cannot return scalars.
#[derive(rust2go::R2G, Clone, Copy, Debug, PartialEq)]
pub struct Num {
    pub v: u64,
}

#[rust2go::r2g(queue_size = 65536)]
pub trait ShmBench {
    #[mem]
    #[drop_safe]
    #[send]
    fn echo(x: u64) -> impl std::future::Future<Output = Num>;
    #[mem]
    #[drop_safe]
    #[send]
    fn hold(x: u64) -> impl std::future::Future<Output = Num>;
}
