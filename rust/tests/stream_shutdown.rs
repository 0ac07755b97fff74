//! Shutting the Go side down with streams open ends them at once, whatever
//! their handlers were doing: sending into a full buffer, or waiting on
//! their context. Its own test binary, since a shutdown cannot be undone.

use std::time::{Duration, Instant};

use r2go::{GoErrorKind, Stream};
use r2go_demo::user::{Streams, StreamsImpl};
use tokio_stream::StreamExt;

/// Every wait of this test ends within this.
const LIMIT: Duration = Duration::from_secs(60);

async fn next<S: Stream + Unpin>(s: &mut S, what: &str) -> Option<S::Item> {
    tokio::time::timeout(LIMIT, s.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: no item within {LIMIT:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams() {
    // A producer blocked on its full buffer (nothing is consumed), one that
    // waits on its context, and one mid-way through a long stream.
    let mut blocked = StreamsImpl::endless(1);
    let mut holding = StreamsImpl::hold_open();
    assert_eq!(next(&mut holding, "hold_open").await, Some(Ok(7)));
    let mut long = StreamsImpl::count(u64::MAX);
    for i in 0..10 {
        assert_eq!(next(&mut long, "count").await, Some(i));
    }
    let start = Instant::now();
    while StreamsImpl::sent(1) < 16 {
        assert!(start.elapsed() < LIMIT, "endless did not fill its buffer");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Nothing is consumed: the handler stays blocked in its 17th Send.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(StreamsImpl::sent(1), 16);

    // The handlers return at once: shutdown needs none of its deadline.
    let start = Instant::now();
    tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_secs(30)))
        .await
        .expect("shutdown")
        .expect("every stream handler returned before the deadline");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "shutdown took {:?}",
        start.elapsed()
    );
    assert_eq!(r2go::go_stats().calls, 0);

    // The items sent before shutdown still arrive, then an Err item says why.
    let mut got = 0;
    let err = loop {
        match next(&mut blocked, "endless after shutdown").await {
            Some(Ok(v)) => {
                assert_eq!(v, got);
                got += 1;
            }
            Some(Err(e)) => break e,
            None => panic!("endless ended without an error"),
        }
    };
    assert_eq!(got, 16);
    assert_eq!(err.kind(), GoErrorKind::ShutDown);
    assert_eq!(
        err.message(),
        "the Go side shut down while the stream was open"
    );
    assert_eq!(
        next(&mut blocked, "endless after its error")
            .await
            .map(|r| r.is_ok()),
        None
    );

    let err = next(&mut holding, "hold_open after shutdown")
        .await
        .expect("an error item")
        .expect_err("an error item");
    assert_eq!(err.kind(), GoErrorKind::ShutDown);

    // A plain stream cut short panics its consumer with the reason.
    let task =
        tokio::spawn(
            async move { while next(&mut long, "count after shutdown").await.is_some() {} },
        );
    let panic = task.await.expect_err("poll_next panics").into_panic();
    let msg = panic
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert_eq!(
        msg,
        "r2go: Streams::count was not run: the Go side shut down while the stream was open"
    );

    // A stream started after shutdown ends at once with the reason.
    let mut late = StreamsImpl::endless(2);
    let err = next(&mut late, "endless after shutdown")
        .await
        .expect("an error item")
        .expect_err("an error item");
    assert_eq!(err.kind(), GoErrorKind::ShutDown);
    assert_eq!(next(&mut late, "the end").await.map(|r| r.is_ok()), None);

    drop((blocked, holding, late));
    assert_eq!(r2go::live_streams(), 0);
    let go = r2go::go_stats();
    assert_eq!((go.calls, go.handler_goroutines), (0, 0));
}
