//! Streams from Rust to Go handlers (handlers/uploads.go) through the real
//! c-archive: order and exact values, backpressure toward a slow Go
//! consumer, drops at every point leaving nothing behind, a handler that
//! returns early, error items and panics in the stream, and many uploads at
//! once. Its own test binary: it counts every allocation of the process, and
//! its tests run one at a time since they compare process-wide counters.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use r2go::{GoErrorKind, Stream};
use r2go_demo::user::{DemoUser, UploadSummary, Uploads, UploadsImpl};

#[path = "common/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// The tests compare process-wide counters: one runs at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The buffer handlers/main.go registers Uploads with.
const BUFFER: u64 = 16;

/// Every wait of these tests ends within this.
const LIMIT: Duration = Duration::from_secs(60);

/// A stream of 0, 1, 2, ... up to `end` (exclusive), then pending forever
/// when `hang` is set (else the end); it counts what it yielded, records
/// when it is dropped, and panics at `panic_at` if set.
struct Numbers {
    next: u64,
    end: u64,
    hang: bool,
    panic_at: Option<u64>,
    yielded: Arc<AtomicU64>,
    dropped: Arc<AtomicBool>,
    /// Called before each item with how many were yielded so far.
    before: Option<Box<dyn FnMut(u64) + Send>>,
}

impl Numbers {
    fn new(end: u64) -> Self {
        Numbers {
            next: 0,
            end,
            hang: false,
            panic_at: None,
            yielded: Arc::default(),
            dropped: Arc::default(),
            before: None,
        }
    }
}

impl Stream for Numbers {
    type Item = u64;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.next == self.end {
            // Never woken: a stream that has nothing more for now.
            return if self.hang {
                Poll::Pending
            } else {
                Poll::Ready(None)
            };
        }
        let n = self.next;
        if self.panic_at == Some(n) {
            panic!("the stream broke at {n}");
        }
        if let Some(f) = self.before.as_mut() {
            f(n);
        }
        self.next += 1;
        self.yielded.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Some(n))
    }
}

impl Drop for Numbers {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// Waits until no call is alive on either side and Go holds no source.
async fn settle() {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_async_calls() == 0 && go.calls == 0 && go.handler_goroutines == 0 {
            return;
        }
        assert!(start.elapsed() < LIMIT, "uploads did not settle: {go:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `f` holds, or fails naming `what`.
async fn until(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < LIMIT, "{what}: not within {LIMIT:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_items_arrive_in_order() {
    let _serial = SERIAL.lock().await;
    const N: u64 = 1_000_000;
    let start = Instant::now();
    let got = tokio::time::timeout(LIMIT, UploadsImpl::sum(Numbers::new(N)))
        .await
        .expect("the upload ended in time");
    let took = start.elapsed();
    assert_eq!(
        got.expect("Go read 0, 1, 2, ... in order"),
        UploadSummary {
            count: N,
            sum: N * (N - 1) / 2
        }
    );
    eprintln!(
        "10^6 u64 items Rust -> Go in {took:?}: {:.2} M items/s",
        N as f64 / took.as_secs_f64() / 1e6
    );
    settle().await;
}
