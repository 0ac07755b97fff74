//! Graceful shutdown: its own test binary, because shutting down the Go side
//! is for the whole process.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use r2go::GoErrorKind;
use r2go_demo::user::{DemoCall, DemoCallImpl, DemoError, Outcomes, OutcomesImpl};

/// Waits, up to 10 s, until `n` calls are in flight in Go.
async fn wait_for_calls(n: u64) {
    let start = Instant::now();
    while r2go::go_stats().calls < n {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{n} calls did not start: {:?}",
            r2go::go_stats()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_cancels_at_the_deadline_then_refuses_calls() {
    // Calls in flight when shutdown begins. A sync call first, which holds
    // its thread in Go for 200 ms, so it overlaps the shutdown but ends
    // within the deadline.
    let sync_in_flight = std::thread::spawn(|| (OutcomesImpl::hold_sync(200), Instant::now()));
    wait_for_calls(1).await;
    // Async ones: quick ones that finish within the deadline, and long ones
    // that only return when cancelled.
    let quick: Vec<_> = (0..10)
        .map(|_| tokio::spawn(OutcomesImpl::hold(50)))
        .collect();
    let long: Vec<_> = (0..5)
        .map(|_| tokio::spawn(OutcomesImpl::hold(60_000)))
        .collect();
    wait_for_calls(16).await;

    let start = Instant::now();
    let err = tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_millis(300)))
        .await
        .unwrap()
        .expect_err("the long holds outlive the deadline");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(290),
        "returned after {waited:?}"
    );
    assert_eq!(err.still_running(), 5);
    assert_eq!(
        err.to_string(),
        "r2go: shutdown deadline passed with 5 Go calls still in flight; their contexts are cancelled"
    );
    for q in quick {
        assert_eq!(q.await.unwrap(), Ok(false), "a quick hold ran to its end");
    }
    for l in long {
        assert_eq!(
            l.await.unwrap(),
            Ok(true),
            "a long hold saw its cancellation"
        );
    }
    // The sync call was in flight when shutdown began, and ran to its end.
    let (held, ended) = sync_in_flight.join().expect("the sync call returned");
    assert_eq!(held, 200);
    assert!(ended > start, "the sync call ended before shutdown began");

    // Everything in flight has drained: a second shutdown returns at once.
    let start = Instant::now();
    r2go::shutdown(Duration::from_secs(5)).expect("nothing is in flight");
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(r2go::go_stats().calls, 0);
    // A handler's goroutine ends just after its call: give it a moment.
    while r2go::go_stats().handler_goroutines != 0 {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "handler goroutines left: {:?}",
            r2go::go_stats()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    // New calls are refused with a clear error, never a hang.
    let refused = OutcomesImpl::hold(1).await.unwrap_err();
    assert_eq!(refused.kind(), GoErrorKind::ShutDown);
    assert_eq!(
        refused.to_string(),
        "r2go: Outcomes::hold was not run: r2go: the Go side is shut down and accepts no calls"
    );
    assert_eq!(
        OutcomesImpl::divide(1, 1),
        Err("r2go: Outcomes::divide was not run: r2go: the Go side is shut down and accepts no calls".into())
    );
    assert_eq!(
        OutcomesImpl::lookup(1).unwrap_err(),
        DemoError {
            code: 0,
            message: "r2go: Outcomes::lookup was not run: r2go: the Go side is shut down and accepts no calls".into(),
            typed: false
        }
    );
    // Methods that cannot fail panic with the reason, sync and async.
    let p = catch_unwind(AssertUnwindSafe(|| DemoCallImpl::add(1, 2))).unwrap_err();
    assert_eq!(
        p.downcast_ref::<String>().map(String::as_str),
        Some(
            "r2go: DemoCall::add was not run: r2go: the Go side is shut down and accepts no calls"
        )
    );
    let p = tokio::spawn(DemoCallImpl::sleep_echo(1, 1))
        .await
        .unwrap_err()
        .into_panic();
    assert_eq!(
        p.downcast_ref::<String>().map(String::as_str),
        Some("r2go: DemoCall::sleep_echo was not run: r2go: the Go side is shut down and accepts no calls")
    );
    assert_eq!(r2go::live_async_calls(), 0);
}
