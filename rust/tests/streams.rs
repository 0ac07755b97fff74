//! Streams from Go handlers (handlers/demo/streams.go) through the real c-archive:
//! order and exact values, backpressure with a slow consumer, drops at every
//! point leaving nothing behind, many streams at once, and errors and panics
//! mid-stream. Its own test binary: it counts every allocation of the
//! process, and its tests run one at a time since they compare process-wide
//! counters.

use std::time::{Duration, Instant};

use r2go::GoErrorKind;
use r2go::Stream;
#[path = "common/chain.rs"]
mod chain;
use chain::Chain;

use r2go_demo::user::{DemoError, DemoUser, Streams, StreamsImpl};
use tokio_stream::StreamExt;

#[path = "common/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// The tests compare process-wide counters: one runs at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The buffer handlers/demo/register.go registers Streams with.
const BUFFER: u64 = 16;

/// Every wait of these tests ends within this.
const LIMIT: Duration = Duration::from_secs(60);

/// The next item, or a failure naming what did not come in time.
async fn next<S: Stream + Unpin>(s: &mut S, what: &str) -> Option<S::Item> {
    tokio::time::timeout(LIMIT, s.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: no item within {LIMIT:?}"))
}

/// Waits until no stream or call is alive on either side.
async fn settle() {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_streams() == 0
            && r2go::live_async_calls() == 0
            && go.calls == 0
            && go.handler_goroutines == 0
        {
            return;
        }
        assert!(
            start.elapsed() < LIMIT,
            "streams did not settle: {} live streams, {go:?}",
            r2go::live_streams()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `stream_cancellations()` reaches `want`.
async fn cancellations_reach(want: u64) {
    let start = Instant::now();
    while StreamsImpl::stream_cancellations() < want {
        assert!(
            start.elapsed() < LIMIT,
            "only {} of {want} handlers saw their context cancelled",
            StreamsImpl::stream_cancellations()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(StreamsImpl::stream_cancellations(), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_items_arrive_in_order() {
    let _serial = SERIAL.lock().await;
    const N: u64 = 1_000_000;
    let start = Instant::now();
    let mut s = StreamsImpl::count(N);
    let mut want = 0;
    while let Some(v) = next(&mut s, "count").await {
        assert_eq!(v, want);
        want += 1;
    }
    let elapsed = start.elapsed();
    assert_eq!(want, N);
    // A finished stream stays finished.
    assert_eq!(next(&mut s, "count after its end").await, None);
    drop(s);
    eprintln!(
        "{N} items in {elapsed:?}: {:.0} items/s",
        N as f64 / elapsed.as_secs_f64()
    );
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn struct_items_and_each_end() {
    let _serial = SERIAL.lock().await;
    let user = |i: u32| DemoUser {
        name: format!("user {i}"),
        age: (i % 100) as u8,
    };
    for n in [0u32, 1, 5, 100] {
        for mode in 0..=3u8 {
            let mut s = StreamsImpl::users(n, mode);
            for i in 0..n {
                assert_eq!(
                    next(&mut s, "users").await,
                    Some(Ok(user(i))),
                    "n {n} mode {mode}"
                );
            }
            let last = next(&mut s, "the end of users").await;
            match mode {
                0 => assert_eq!(last, None),
                1 => {
                    let e = last.expect("an error item").expect_err("an error item");
                    assert_eq!(e.code, 0);
                    assert!(!e.typed);
                    assert_eq!(e.message, format!("failed after {n}"));
                }
                2 => {
                    let e = last.expect("a panic item").expect_err("a panic item");
                    assert_eq!(
                        e.message,
                        format!("Go handler of Streams::users panicked: panic after {n}")
                    );
                }
                _ => assert_eq!(
                    last,
                    Some(Err(DemoError {
                        code: n,
                        message: "typed".into(),
                        typed: true
                    }))
                ),
            }
            if mode != 0 {
                assert_eq!(next(&mut s, "after the error item").await, None);
            }
        }
    }
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_items_panic_poll_next_with_the_go_message() {
    let _serial = SERIAL.lock().await;
    for (mode, want) in [
        (
            1u8,
            "r2go: Go returned an error from Streams::numbers, which cannot fail: failed after 40",
        ),
        (
            2u8,
            "Go handler of Streams::numbers panicked: panic after 40",
        ),
    ] {
        let task = tokio::spawn(async move {
            let mut s = StreamsImpl::numbers(40, mode);
            let mut got = 0;
            while let Some(v) = next(&mut s, "numbers").await {
                assert_eq!(v, got);
                got += 1;
            }
            got
        });
        let err = task.await.expect_err("poll_next panics");
        let msg = err.into_panic();
        let msg = msg
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert_eq!(msg, want);
    }
    let mut s = StreamsImpl::numbers(3, 0);
    let mut got = Vec::new();
    while let Some(v) = next(&mut s, "numbers").await {
        got.push(v);
    }
    assert_eq!(got, [0, 1, 2]);
    drop(s);
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_bounds_what_is_buffered() {
    let _serial = SERIAL.lock().await;
    settle().await;
    const TAG: u64 = 1;
    const ITEMS: u64 = 2_000;
    let mut s = StreamsImpl::endless(TAG);
    let mut peak = 0;
    for i in 0..ITEMS {
        assert_eq!(next(&mut s, "endless").await, Some(Ok(i)));
        if i % 100 == 0 {
            // Let the producer run ahead as far as it can.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Items sent by Go and not yet received here: in Go's buffer or in
        // the batch Rust took.
        // (`sent` counts an item after its Send returned, so it may lag.)
        let buffered = StreamsImpl::sent(TAG).saturating_sub(i + 1);
        peak = peak.max(buffered);
    }
    eprintln!("peak buffered items with a buffer of {BUFFER}: {peak}");
    // At most a full buffer in Go and one full batch in Rust.
    assert!(peak <= 2 * BUFFER, "{peak} items buffered");
    // The producer did run ahead until the buffer was full.
    assert!(peak >= BUFFER, "only {peak} items buffered");
    let before = StreamsImpl::stream_cancellations();
    drop(s);
    cancellations_reach(before + 1).await;
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_streams_leave_nothing_behind() {
    let _serial = SERIAL.lock().await;
    settle().await;
    let base = StreamsImpl::stream_cancellations();
    // Warm up both runtimes' pools, so what is left afterwards is a baseline.
    for taken in [0, 1, 100] {
        let mut s = StreamsImpl::endless(100 + taken);
        for i in 0..taken {
            assert_eq!(next(&mut s, "endless").await, Some(Ok(i)));
        }
        drop(s);
    }
    let before = base + 3;
    cancellations_reach(before).await;
    settle().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let allocs = alloc::live_allocs();
    let goroutines = r2go::go_stats().goroutines;

    let mut cancelled = before;
    for round in 0..20u64 {
        for taken in [0, 1, 1_000] {
            let tag = 1_000 + round * 10 + taken;
            let mut s = StreamsImpl::endless(tag);
            for i in 0..taken {
                assert_eq!(next(&mut s, "endless").await, Some(Ok(i)));
            }
            if taken == 0 {
                // Dropped before the handler's first Send, or soon after.
                drop(s);
            } else {
                // Dropped while the producer is blocked on a full buffer.
                tokio::time::sleep(Duration::from_millis(1)).await;
                assert!(StreamsImpl::sent(tag) >= taken);
                drop(s);
            }
            cancelled += 1;
            // The handler's Send failed with its context cancelled.
            cancellations_reach(cancelled).await;
            settle().await;
        }
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let go = r2go::go_stats();
    assert_eq!((go.calls, go.handler_goroutines), (0, 0));
    assert_eq!(go.goroutines, goroutines, "Go goroutines before and after");
    assert_eq!(r2go::live_streams(), 0);
    let grown = alloc::live_allocs() - allocs;
    eprintln!("live Rust allocations after 60 dropped streams: {grown:+}");
    // A leaked slot or batch per stream would be 60 or more.
    assert!(
        (-16..=16).contains(&grown),
        "live Rust allocations grew by {grown} over 60 dropped streams"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_streams_at_once() {
    let _serial = SERIAL.lock().await;
    const STREAMS: u64 = 1_000;
    let tasks: Vec<_> = (0..STREAMS)
        .map(|k| {
            tokio::spawn(async move {
                let n = 100 + k;
                let mut s = StreamsImpl::count(n);
                let mut sum = 0;
                let mut want = 0;
                while let Some(v) = next(&mut s, "count").await {
                    assert_eq!(v, want, "stream {k}");
                    want += 1;
                    sum += v;
                }
                assert_eq!(want, n, "stream {k}");
                sum
            })
        })
        .collect();
    // Every stream is open before any is consumed to its end.
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("a consumer failed");
    }
    let want: u64 = (0..STREAMS).map(|k| (100 + k) * (99 + k) / 2).sum();
    assert_eq!(total, want);
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_are_send_unpin_and_static() {
    let _serial = SERIAL.lock().await;
    fn check<S: Stream + Send + Unpin + 'static>(s: S) -> S {
        s
    }
    let owned = String::from("not borrowed");
    let s = check(StreamsImpl::users(2, 0));
    drop(owned);
    let got: Vec<_> = tokio::spawn(s.collect::<Vec<_>>()).await.expect("the task");
    assert_eq!(got.len(), 2);
    // hold_open ends only when the stream is dropped: its error never
    // arrives, but its one item does.
    let mut h = StreamsImpl::hold_open();
    assert_eq!(next(&mut h, "hold_open").await, Some(Ok(7)));
    assert!(
        tokio::time::timeout(Duration::from_millis(20), h.next())
            .await
            .is_err(),
        "hold_open ended by itself"
    );
    drop(h);
    settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_too_deep_to_lend_end_the_stream_with_one_err() {
    let _serial = SERIAL.lock().await;
    let shallow = Chain::new(3);
    let got: Vec<_> = StreamsImpl::walk(shallow.get()).collect().await;
    assert_eq!(
        got.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [0, 1, 2]
    );

    // Past the depth limit the argument is not lent and Go is not called:
    // the stream's only item is the error.
    let deep = Chain::new(r2go::max_depth() + 10);
    let mut s = StreamsImpl::walk(deep.get());
    let e = next(&mut s, "walk").await.expect("an item").unwrap_err();
    assert_eq!(e.kind(), GoErrorKind::Invalid, "{e}");
    assert!(e.to_string().contains("cannot be lent to Go"), "{e}");
    assert_eq!(next(&mut s, "walk").await, None);
    drop(s);
    drop(deep);
    settle().await;
}
