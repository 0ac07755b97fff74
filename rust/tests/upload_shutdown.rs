//! Shutting the Go side down with uploads open ends them at once: a handler
//! waiting in `Next` for items Rust does not have, and one reading slowly.
//! Its own test binary, since a shutdown cannot be undone.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[path = "common/wait.rs"]
mod wait;
use wait::{until, LIMIT};

use r2go::{GoErrorKind, Stream};
use r2go_demo::user::{Uploads, UploadsImpl};

/// 0, 1, 2, ... up to `end`, then pending forever.
struct Hanging {
    next: u64,
    end: u64,
}

impl Stream for Hanging {
    type Item = u64;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        if self.next == self.end {
            return Poll::Pending;
        }
        self.next += 1;
        Poll::Ready(Some(self.next - 1))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_uploads() {
    let waiting = tokio::spawn(UploadsImpl::hold(1, Hanging { next: 0, end: 5 }));
    let slow = tokio::spawn(UploadsImpl::take(
        2,
        Hanging {
            next: 0,
            end: u64::MAX,
        },
        u64::MAX,
        1000,
    ));
    until("Go reads", || {
        UploadsImpl::consumed(1) == 5 && UploadsImpl::consumed(2) >= 3
    })
    .await;

    // The handlers return at once: shutdown needs none of its deadline.
    let start = Instant::now();
    tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_secs(30)))
        .await
        .expect("shutdown")
        .expect("every upload handler returned before the deadline");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "shutdown took {:?}",
        start.elapsed()
    );

    let err = tokio::time::timeout(LIMIT, waiting)
        .await
        .expect("hold ended in time")
        .expect("no panic")
        .expect_err("hold returns Next's error");
    assert_eq!(err.kind(), GoErrorKind::ShutDown);
    assert_eq!(
        err.message(),
        "the Go side shut down while the upload was open"
    );
    // A handler that returns no error keeps its result.
    let read = tokio::time::timeout(LIMIT, slow)
        .await
        .expect("take ended in time")
        .expect("no panic");
    assert!(read >= 3, "take read {read}");

    // An upload started after shutdown is refused.
    let err = UploadsImpl::hold(3, Hanging { next: 0, end: 0 })
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), GoErrorKind::ShutDown);

    assert_eq!(r2go::live_async_calls(), 0);
    let go = r2go::go_stats();
    assert_eq!((go.calls, go.handler_goroutines), (0, 0));
}
