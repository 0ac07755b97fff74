//! Dropping async calls before Go finishes: no crash, no leak. Its own test
//! binary, so the live-call counter sees no other test's calls.

use std::time::{Duration, Instant};

use r2go_demo::user::{DemoCall, DemoCallImpl};

async fn wait_for_no_live_calls(limit: Duration) -> usize {
    let start = Instant::now();
    while r2go::live_async_calls() != 0 && start.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    r2go::live_async_calls()
}

/// How long the Go handlers of the calls dropped mid-flight sleep: long
/// enough that no scheduling stall lets one finish before it is dropped
/// (under qemu on a loaded 2-core machine, 1 ms timers fired up to 56 ms late).
const IN_FLIGHT_MS: u32 = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_futures_free_their_slots_when_go_finishes() {
    assert_eq!(r2go::live_async_calls(), 0);

    // Dropped before the first poll, after one poll, and by a timeout.
    let mut never_polled = Vec::new();
    for i in 0..1_000 {
        never_polled.push(DemoCallImpl::sleep_echo(50, i));
    }
    assert_eq!(r2go::live_async_calls(), 1_000);
    drop(never_polled);

    for i in 0..1_000u64 {
        let r = tokio::time::timeout(
            Duration::from_millis(1),
            DemoCallImpl::sleep_echo(IN_FLIGHT_MS, i),
        )
        .await;
        assert!(
            r.is_err(),
            "a {IN_FLIGHT_MS} ms call cannot finish within 1 ms"
        );
    }
    let mut polled_once = Vec::new();
    for i in 0..1_000u64 {
        let mut f = Box::pin(DemoCallImpl::sleep_echo(IN_FLIGHT_MS, i));
        assert!(futures_poll_once(f.as_mut()).await.is_none());
        polled_once.push(f);
    }
    drop(polled_once);

    // Go still holds its references; they go when the handlers return.
    assert!(r2go::live_async_calls() > 0);
    assert_eq!(
        wait_for_no_live_calls(Duration::from_secs(20)).await,
        0,
        "slots leaked"
    );

    // The bridge still works afterwards.
    assert_eq!(DemoCallImpl::sleep_echo(0, 9).await, 9);
    assert_eq!(wait_for_no_live_calls(Duration::from_secs(5)).await, 0);
}

/// Polls `f` once; None when it is pending.
async fn futures_poll_once<F: std::future::Future + Unpin>(f: F) -> Option<F::Output> {
    struct Once<F>(Option<F>);
    impl<F: std::future::Future + Unpin> std::future::Future for Once<F> {
        type Output = Option<F::Output>;
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Self::Output> {
            let f = self.0.as_mut().expect("polled once");
            match std::pin::Pin::new(f).poll(cx) {
                std::task::Poll::Ready(v) => std::task::Poll::Ready(Some(v)),
                std::task::Poll::Pending => std::task::Poll::Ready(None),
            }
        }
    }
    Once(Some(f)).await
}
