//! Bounding a Go call with a Rust timeout.
//!
//! `cargo run --manifest-path rust/Cargo.toml --example timeout`
//!
//! Async calls are safe to drop at any time: when the timeout fires, the
//! future is dropped, and the Go result, when it comes, is freed by Go's
//! completion. Nothing leaks and no `unsafe` is needed.

use std::time::Duration;

use r2go_demo::user::{DemoCall, DemoCallImpl};
use tokio::time::timeout;

#[tokio::main]
async fn main() {
    match timeout(Duration::from_millis(50), DemoCallImpl::sleep_echo(10, 1)).await {
        Ok(tag) => println!("fast call returned {tag}"),
        Err(_) => println!("fast call timed out"),
    }
    match timeout(Duration::from_millis(50), DemoCallImpl::sleep_echo(500, 2)).await {
        Ok(tag) => println!("slow call returned {tag}"),
        Err(_) => println!("slow call timed out after 50 ms; its Go handler finishes on its own"),
    }
    println!(
        "live async calls right after the timeout: {}",
        r2go::live_async_calls()
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    println!(
        "live async calls once Go has finished: {}",
        r2go::live_async_calls()
    );
}
