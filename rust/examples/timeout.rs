//! Bounding a Go call with a Rust timeout.
//!
//! `cargo run --manifest-path rust/Cargo.toml --example timeout`
//!
//! Async calls are safe to drop at any time: when the timeout fires, the
//! future is dropped, the Go handler's context is cancelled, and the Go
//! result, if it still comes, is freed by Go's completion. Nothing leaks and
//! no `unsafe` is needed.

use std::time::Duration;

use r2go_demo::user::{DemoCall, DemoCallImpl};
use tokio::time::timeout;

#[tokio::main]
async fn main() {
    match timeout(Duration::from_millis(50), DemoCallImpl::sleep_echo(10, 1)).await {
        Ok(tag) => println!("fast call returned {tag}"),
        Err(_) => println!("fast call timed out"),
    }
    // sleep_echo ignores its context: its handler runs to the end, unobserved.
    match timeout(Duration::from_millis(50), DemoCallImpl::sleep_echo(500, 2)).await {
        Ok(tag) => println!("slow call returned {tag}"),
        Err(_) => println!("slow call timed out after 50 ms; its Go handler finishes on its own"),
    }
    // wait_for_cancel watches its context: dropping the future stops it.
    let seen = DemoCallImpl::cancellations();
    match timeout(
        Duration::from_millis(50),
        DemoCallImpl::wait_for_cancel(5_000),
    )
    .await
    {
        Ok(cancelled) => println!("wait_for_cancel returned {cancelled}"),
        Err(_) => println!("wait_for_cancel timed out after 50 ms; Go sees its context cancelled"),
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!(
        "cancellations seen by Go: {}",
        DemoCallImpl::cancellations() - seen
    );
    println!(
        "live async calls right after the timeouts: {}",
        r2go::live_async_calls()
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    println!(
        "live async calls once Go has finished: {}",
        r2go::live_async_calls()
    );
}
