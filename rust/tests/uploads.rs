//! Streams from Rust to Go handlers (handlers/demo/uploads.go) through the real
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

#[path = "common/wait.rs"]
mod wait;
use wait::{until, LIMIT};

use r2go::{GoErrorKind, Stream};
use r2go_demo::user::{DemoUser, UploadSummary, Uploads, UploadsImpl};

#[path = "common/alloc.rs"]
mod alloc;
#[path = "common/chain.rs"]
mod chain;
use chain::Chain;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// The tests compare process-wide counters: one runs at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The buffer of `take`, set by its `#[r2go(buffer = 8)]`: it wins over the
/// 16 handlers/demo/register.go registers Uploads with.
const TAKE_BUFFER: u64 = 8;

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
    /// Called with each item's number before it is yielded (or breaks).
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
        if let Some(f) = self.before.as_mut() {
            f(n);
        }
        if self.panic_at == Some(n) {
            panic!("the stream broke at {n}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_go_consumer_bounds_what_rust_has_produced() {
    let _serial = SERIAL.lock().await;
    const TAG: u64 = 1;
    const N: u64 = 300;
    // Before each item, how far the stream is ahead of what Go has read.
    let ahead = Arc::new(AtomicU64::new(0));
    let mut items = Numbers::new(N);
    let peak = ahead.clone();
    items.before = Some(Box::new(move |n| {
        let read = UploadsImpl::consumed(TAG);
        peak.fetch_max(n - read, Ordering::SeqCst);
    }));
    let read = tokio::time::timeout(LIMIT, UploadsImpl::take(TAG, items, N, 200))
        .await
        .expect("the upload ended in time");
    assert_eq!(read, N);
    let peak = ahead.load(Ordering::SeqCst);
    eprintln!("at most {peak} items produced and not yet read by Go (buffer {TAKE_BUFFER})");
    // Rust polls its stream only for items Go asked for: at most a buffer
    // of them wait in Go, and Go asks again when half of it is left.
    assert!(
        peak <= TAKE_BUFFER,
        "{peak} items produced ahead of Go's reading"
    );
    assert!(peak >= TAKE_BUFFER / 2, "Go asked for too little: {peak}");
    settle().await;
}

/// Starts `hold` on a stream of `n` items that then never ends, waits until
/// Go has read them, drops the call, and checks that Go saw the drop and
/// the stream was dropped.
async fn drop_after(tag: u64, n: u64) {
    let mut items = Numbers::new(n);
    items.hang = true;
    let dropped = items.dropped.clone();
    let mut call = Box::pin(UploadsImpl::hold(tag, items));
    tokio::select! {
        r = &mut call => panic!("hold ended by itself: {r:?}"),
        () = until("Go reads the items", || UploadsImpl::consumed(tag) == n) => {}
    }
    assert_eq!(UploadsImpl::ended(tag), "");
    drop(call);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the stream outlived its call"
    );
    until("the handler ends", || !UploadsImpl::ended(tag).is_empty()).await;
    assert_eq!(
        UploadsImpl::ended(tag),
        "r2go: the stream is closed: Rust dropped it (cancelled)"
    );
    assert_eq!(UploadsImpl::consumed(tag), n);
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_call_after_0_1_and_many_items_leaves_nothing() {
    let _serial = SERIAL.lock().await;
    // Once first, so that what the threads and runtimes keep is there.
    for n in [0, 1, 1000] {
        drop_after(100 + n, n).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let allocs = alloc::live_allocs();
    let goroutines = r2go::go_stats().goroutines;
    for round in 0..20 {
        for n in [0, 1, 1000] {
            drop_after(10_000 + round * 10_000 + n, n).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let go = r2go::go_stats();
    assert_eq!(go.goroutines, goroutines, "Go goroutines before and after");
    let grown = alloc::live_allocs() - allocs;
    eprintln!("live Rust allocations after 60 dropped uploads: {grown:+}");
    // A leaked slot, future or stream per call would be 60 or more.
    assert!(
        (-16..=16).contains(&grown),
        "live Rust allocations grew by {grown} over 60 dropped uploads"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_call_before_the_first_poll_ends_the_handler() {
    let _serial = SERIAL.lock().await;
    const TAG: u64 = 110;
    let items = Numbers::new(10);
    let (dropped, yielded) = (items.dropped.clone(), items.yielded.clone());
    drop(UploadsImpl::hold(TAG, items));
    assert!(dropped.load(Ordering::SeqCst));
    until("the handler ends", || !UploadsImpl::ended(TAG).is_empty()).await;
    assert_eq!(
        UploadsImpl::ended(TAG),
        "r2go: the stream is closed: Rust dropped it (cancelled)"
    );
    // Never polled: Rust never polled the stream either.
    assert_eq!(yielded.load(Ordering::SeqCst), 0);
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_returns_early_makes_rust_drop_the_stream() {
    let _serial = SERIAL.lock().await;
    let mut items = Numbers::new(u64::MAX);
    items.hang = true;
    let (dropped, yielded) = (items.dropped.clone(), items.yielded.clone());
    let read = tokio::time::timeout(LIMIT, UploadsImpl::take(200, items, 3, 0))
        .await
        .expect("the upload ended in time");
    assert_eq!(read, 3);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the stream outlived the call"
    );
    let yielded = yielded.load(Ordering::SeqCst);
    assert!(
        (3..=TAKE_BUFFER).contains(&yielded),
        "{yielded} items polled for a handler that read 3"
    );
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_item_ends_the_stream_for_go_with_its_text() {
    let _serial = SERIAL.lock().await;
    fn user(i: u8) -> DemoUser {
        DemoUser {
            name: format!("user {i}"),
            age: i,
        }
    }
    let ok = tokio_stream::iter((0..3).map(|i| Ok(user(i))));
    assert_eq!(
        UploadsImpl::names(ok).await.expect("a clean end"),
        ["user 0", "user 1", "user 2"]
    );
    let failing = tokio_stream::iter(vec![
        Ok(user(0)),
        Ok(user(1)),
        Err("bad row".to_string()),
        Ok(user(3)),
    ]);
    let err = UploadsImpl::names(failing)
        .await
        .expect_err("the error item reaches Go, whose handler returns it");
    assert_eq!(err.kind(), GoErrorKind::Returned);
    assert_eq!(
        err.message(),
        "r2go: the Rust stream ended with an error: bad row"
    );
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_stream_panics_the_caller_and_ends_the_handler() {
    let _serial = SERIAL.lock().await;
    const TAG: u64 = 300;
    let mut items = Numbers::new(u64::MAX);
    items.panic_at = Some(40);
    let dropped = items.dropped.clone();
    let err = tokio::spawn(UploadsImpl::hold(TAG, items))
        .await
        .expect_err("the stream's panic reaches the caller");
    let msg = err.into_panic();
    assert_eq!(
        msg.downcast_ref::<String>().map(String::as_str),
        Some("the stream broke at 40")
    );
    assert!(dropped.load(Ordering::SeqCst));
    until("the handler ends", || !UploadsImpl::ended(TAG).is_empty()).await;
    assert_eq!(
        UploadsImpl::ended(TAG),
        "r2go: the stream is closed: Rust dropped it (cancelled)"
    );
    // The items Go had not read, and those of the batch being collected
    // when the stream broke, are freed with the call.
    let read = UploadsImpl::consumed(TAG);
    assert!(
        read <= 40,
        "Go read {read} items of a stream that broke at 40"
    );
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_uploads_at_once() {
    let _serial = SERIAL.lock().await;
    const CALLS: u64 = 1000;
    let calls: Vec<_> = (0..CALLS)
        .map(|i| tokio::spawn(UploadsImpl::sum(Numbers::new(i % 100 + 50))))
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        let n = i as u64 % 100 + 50;
        let got = tokio::time::timeout(LIMIT, call)
            .await
            .expect("the upload ended in time")
            .expect("no panic");
        assert_eq!(
            got.expect("in order"),
            UploadSummary {
                count: n,
                sum: n * (n - 1) / 2
            }
        );
    }
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_too_deep_to_lend_ends_the_stream_for_go() {
    let _serial = SERIAL.lock().await;
    let limit = r2go::max_depth();
    r2go::set_max_depth(100);
    // Item 1 cannot be lent: Go reads item 0, then the stream's end with
    // the reason, and the handler returns it.
    let items = [100, 101, 5].map(|n| Chain::new(n).take());
    let got = UploadsImpl::trees(tokio_stream::iter(items)).await;
    r2go::set_max_depth(limit);
    let err = got.expect_err("Go returns the stream's error");
    assert_eq!(err.kind(), GoErrorKind::Returned);
    let next7 = "TreeNode.next: ".repeat(7);
    assert_eq!(
        err.message(),
        format!(
            "after 1 trees: r2go: the Rust stream ended with an error: item 1 of \
             Uploads::trees cannot be lent to Go: item: {next7}… 86 more …: {next7}\
             TreeNode.value: nested deeper than the depth limit of 100 levels"
        )
    );
    settle().await;
}
