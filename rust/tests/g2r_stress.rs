//! Calls from Rust to Go whose handlers call back into Rust (`#[g2r]`), sync
//! and async, 10,000 at once each way, and the proof that they leave
//! nothing behind: no live calls on either side, no extra goroutines, no
//! Rust allocations.

#[path = "common/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

use std::time::{Duration, Instant};

use r2go_demo::host::Host;
use r2go_demo::user::{GoSide, GoSideImpl, RustSideImpl};
use tokio::runtime::Runtime;

/// Allocations the runtimes may keep after a round, independent of the
/// number of calls (tokio's and Go's pools reach their size in the warm-up).
const SLACK: i64 = 64;

/// Threads making the sync calls, each blocked in Go while its handler
/// calls Rust.
const SYNC_THREADS: i64 = 32;

/// Makes `n` async calls at once, and `n` sync calls from `SYNC_THREADS`
/// threads meanwhile; every handler calls a sync and an async Rust method,
/// the async ones also from a goroutine of their own. Every call returns
/// `i + 1` for its `i`. Meanwhile `n / 10` handlers await a Rust future
/// that never ends, until their context times out and Go drops it.
fn round(rt: &Runtime, n: i64) {
    std::thread::scope(|s| {
        for t in 0..SYNC_THREADS {
            s.spawn(move || {
                for i in (t..n).step_by(SYNC_THREADS as usize) {
                    assert_eq!(GoSideImpl::add_via_rust(i, 1), Ok(i + 1), "sync call {i}");
                }
            });
        }
        rt.block_on(async {
            // Calls whose Rust future Go drops when their context ends.
            let cancelled: Vec<_> = (0..n / 10)
                .map(|i| tokio::spawn(GoSideImpl::cancel_pending(1, i as u64)))
                .collect();
            let tasks: Vec<_> = (0..n)
                .map(|i| tokio::spawn(GoSideImpl::add_via_rust_async(i, 1)))
                .collect();
            for t in cancelled {
                assert_eq!(t.await.expect("joined"), "context deadline exceeded");
            }
            for (i, t) in tasks.into_iter().enumerate() {
                let i = i as i64;
                assert_eq!(t.await.expect("joined"), Ok(i + 1), "async call {i}");
            }
        });
    });
}

/// Waits, for at most 30 s, until no call is alive on either side and Go is
/// back to `goroutines` goroutines.
fn settle(goroutines: u64) {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_g2r_calls() == 0
            && r2go::live_async_calls() == 0
            && (go.calls, go.handler_goroutines, go.cancel_entries) == (0, 0, 0)
            && go.goroutines <= goroutines
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "calls did not settle: {} calls to Rust, {} to Go alive, {go:?}, {goroutines} goroutines before",
            r2go::live_g2r_calls(),
            r2go::live_async_calls(),
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn ten_thousand_reentrant_calls_each_way_leave_nothing_behind() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    RustSideImpl::register_on::<Host>(rt.handle().clone()).expect("registered");

    round(&rt, 2_000);
    settle(u64::MAX);
    let goroutines = r2go::go_stats().goroutines;
    let allocs = alloc::live_allocs();

    let start = Instant::now();
    round(&rt, 10_000);
    eprintln!(
        "10,000 async and 10,000 sync calls into Go, each calling Rust 3 or 2 times: {:?}",
        start.elapsed()
    );
    settle(goroutines);

    assert_eq!(r2go::live_g2r_calls(), 0);
    let go = r2go::go_stats();
    assert_eq!(
        (go.calls, go.handler_goroutines, go.cancel_entries),
        (0, 0, 0)
    );
    let grown = alloc::live_allocs() - allocs;
    eprintln!("live Rust allocations: {allocs} before, {grown:+} after");
    assert!(
        (-SLACK..=SLACK).contains(&grown),
        "live Rust allocations grew by {grown}"
    );
}
