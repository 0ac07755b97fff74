//! The Rust side of the g2r workloads: what Go calls.

use crate::user::Host;

/// The implementation of [`Host`] the suite registers.
pub struct BenchHost;

impl Host for BenchHost {
    fn add(a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }

    async fn echo(x: u64) -> u64 {
        x
    }

    async fn echo_task(x: u64) -> u64 {
        tokio::task::yield_now().await;
        x
    }
}
