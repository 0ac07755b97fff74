//! A million async calls on tokio multi-thread, a random share dropped or
//! timed out mid-flight, some panicking, some returning errors; every
//! completed call's value is checked, and afterwards the live slots, the
//! Rust allocations and the Go goroutines are back to their baselines. Its
//! own test binary: it counts every allocation of the process.

mod common;
use common::Rng;

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use r2go_demo::user::{Outcomes, OutcomesImpl};

/// Counts live allocations, so the test can prove calls leave none behind.
struct Counting;

static LIVE_ALLOCS: AtomicI64 = AtomicI64::new(0);

// SAFETY: defers every operation to the system allocator, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_ALLOCS.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Allocations the runtimes may keep after a round, independent of the
/// number of calls.
const SLACK: i64 = 32;

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    errors: AtomicU64,
    panics: AtomicU64,
    timed_out: AtomicU64,
    dropped: AtomicU64,
}

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

/// Polls a future once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(NoWake));
    let mut cx = Context::from_waker(&waker);
    Pin::new(f).poll(&mut cx)
}

async fn worker(seed: u64, calls: u64, tally: Arc<Tally>) {
    let mut rng = Rng(seed | 1);
    for _ in 0..calls {
        let r = rng.next();
        let n = r >> 20;
        let want = n * 2 + 1;
        match r % 100 {
            0..=54 => {
                assert_eq!(OutcomesImpl::work(0, n).await, Ok(want));
                tally.ok.fetch_add(1, Ordering::Relaxed);
            }
            55..=64 => {
                assert_eq!(OutcomesImpl::work(1, n).await, Err(format!("odd {n}")));
                tally.errors.fetch_add(1, Ordering::Relaxed);
            }
            65..=69 => {
                assert_eq!(
                    OutcomesImpl::work(2, n).await,
                    Err(format!("Go handler of Outcomes::work panicked: panic {n}"))
                );
                tally.panics.fetch_add(1, Ordering::Relaxed);
            }
            70..=79 => {
                // Sleeps n % 7 ms in Go.
                assert_eq!(OutcomesImpl::work(3, n).await, Ok(want));
                tally.ok.fetch_add(1, Ordering::Relaxed);
            }
            80..=91 => {
                let limit = Duration::from_micros(r % 3_000);
                match tokio::time::timeout(limit, OutcomesImpl::work(3, n)).await {
                    Ok(v) => {
                        assert_eq!(v, Ok(want));
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        tally.timed_out.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            92..=95 => {
                // Dropped without being polled.
                drop(OutcomesImpl::work(3, n));
                tally.dropped.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                // Polled once, then dropped whatever it had done.
                let mut f = Box::pin(OutcomesImpl::work(3, n));
                if let Poll::Ready(v) = poll_once(&mut f) {
                    assert_eq!(v, Ok(want));
                }
                drop(f);
                tally.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn round(workers: u64, calls_per_worker: u64, seed: u64) -> Arc<Tally> {
    let tally = Arc::new(Tally::default());
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            tokio::spawn(worker(
                seed.wrapping_mul(1_000_003) ^ (w + 1),
                calls_per_worker,
                tally.clone(),
            ))
        })
        .collect();
    for t in tasks {
        t.await.expect("a worker failed");
    }
    tally
}

/// Waits until no call is alive on either side.
async fn settle() {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_async_calls() == 0 && go.calls == 0 && go.handler_goroutines == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "calls did not settle: {} live slots, {go:?}",
            r2go::live_async_calls()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_calls_leave_nothing_behind() {
    // Warm up: tokio, the Go scheduler and both runtimes' pools reach their
    // steady size, so what is left afterwards is a baseline, not a leak.
    round(256, 200, 7).await;
    settle().await;
    let allocs = LIVE_ALLOCS.load(Ordering::SeqCst);
    let goroutines = r2go::go_stats().goroutines;

    const WORKERS: u64 = 256;
    const PER_WORKER: u64 = 3_907; // 256 × 3,907 = 1,000,192 calls
    let start = Instant::now();
    let t = round(WORKERS, PER_WORKER, 42).await;
    let elapsed = start.elapsed();
    settle().await;

    let total = [&t.ok, &t.errors, &t.panics, &t.timed_out, &t.dropped]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum::<u64>();
    assert_eq!(total, WORKERS * PER_WORKER);
    assert!(total >= 1_000_000);
    // Every outcome happened many times.
    for (name, c) in [
        ("ok", &t.ok),
        ("errors", &t.errors),
        ("panics", &t.panics),
        ("timed out", &t.timed_out),
        ("dropped", &t.dropped),
    ] {
        assert!(c.load(Ordering::Relaxed) > 10_000, "only {c:?} {name}");
    }
    eprintln!(
        "{total} calls in {elapsed:?}: {} ok, {} errors, {} panics, {} timed out, {} dropped",
        t.ok.load(Ordering::Relaxed),
        t.errors.load(Ordering::Relaxed),
        t.panics.load(Ordering::Relaxed),
        t.timed_out.load(Ordering::Relaxed),
        t.dropped.load(Ordering::Relaxed),
    );

    assert_eq!(r2go::live_async_calls(), 0);
    let go = r2go::go_stats();
    assert_eq!((go.calls, go.handler_goroutines), (0, 0));
    assert_eq!(go.goroutines, goroutines, "Go goroutines before and after");
    drop(t);
    // tokio may keep a few more buffers of its own after a heavier round
    // (queues and timer levels grow once); a leak of even one allocation in
    // 30,000 calls exceeds this bound.
    let grown = LIVE_ALLOCS.load(Ordering::SeqCst) - allocs;
    eprintln!("live Rust allocations: {allocs} before, {grown:+} after");
    assert!(
        (-SLACK..=SLACK).contains(&grown),
        "live Rust allocations grew by {grown} over {total} calls"
    );
}
