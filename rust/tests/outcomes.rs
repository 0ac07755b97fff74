//! Methods returning `Result`: Go errors, error values, panics, and the
//! per-trait concurrency bound, through the real c-archive.

use std::time::Duration;

use r2go::{GoError, GoErrorKind};
use r2go_demo::user::{
    DemoCode, DemoError, DemoFault, DemoUser, Limited, LimitedImpl, Outcomes, OutcomesImpl,
};

#[test]
fn string_errors_carry_go_error_text_and_mark_panics() {
    assert_eq!(OutcomesImpl::divide(7, 2), Ok(3));
    assert_eq!(
        OutcomesImpl::divide(7, 0),
        Err("division by zero".to_string())
    );
    // A panic is an Err too, marked as a panic; the bridge goes on.
    assert_eq!(
        OutcomesImpl::divide(13, 1),
        Err("Go handler of Outcomes::divide panicked: unlucky 13".to_string())
    );
    assert_eq!(OutcomesImpl::divide(-9, 3), Ok(-3));
}

#[test]
fn error_values_arrive_as_values_and_other_errors_through_from() {
    assert_eq!(
        OutcomesImpl::lookup(0),
        Ok(DemoUser {
            name: "root".into(),
            age: 42
        })
    );
    // Returned as a gen.DemoError value.
    assert_eq!(
        OutcomesImpl::lookup(7),
        Err(DemoError {
            code: 7,
            message: "not found".into(),
            typed: true
        })
    );
    // A *gen.DemoError wrapped with %w is found in the chain.
    assert_eq!(
        OutcomesImpl::lookup(150),
        Err(DemoError {
            code: 150,
            message: "wrapped".into(),
            typed: true
        })
    );
    // A plain Go error is not a DemoError: it arrives with its Error() text
    // through From<GoError>.
    assert_eq!(
        OutcomesImpl::lookup(250),
        Err(DemoError {
            code: 0,
            message: "lookup 250: backend unavailable".into(),
            typed: false
        })
    );
    assert_eq!(
        OutcomesImpl::lookup(13),
        Err(DemoError {
            code: 0,
            message: "Go handler of Outcomes::lookup panicked: lookup 13".into(),
            typed: false
        })
    );
}

#[test]
fn go_error_results_tell_returned_errors_from_panics() {
    assert_eq!(OutcomesImpl::check(0), Ok(()));
    let returned = OutcomesImpl::check(1).unwrap_err();
    assert_eq!(returned.kind(), GoErrorKind::Returned);
    assert!(!returned.is_panic());
    assert_eq!(returned.message(), "check failed");
    assert_eq!(returned.to_string(), "check failed");
    assert_eq!(returned.method(), "Outcomes::check");

    let panicked: GoError = OutcomesImpl::check(2).unwrap_err();
    assert_eq!(panicked.kind(), GoErrorKind::Panicked);
    assert!(panicked.is_panic());
    assert_eq!(panicked.message(), "check panicked");
    assert_eq!(
        panicked.to_string(),
        "Go handler of Outcomes::check panicked: check panicked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_results_cover_every_outcome() {
    assert_eq!(OutcomesImpl::work(0, 20).await, Ok(41));
    assert_eq!(OutcomesImpl::work(1, 21).await, Err("odd 21".to_string()));
    assert_eq!(
        OutcomesImpl::work(2, 22).await,
        Err("Go handler of Outcomes::work panicked: panic 22".to_string())
    );
    assert_eq!(OutcomesImpl::work(3, 23).await, Ok(47));
    assert_eq!(
        OutcomesImpl::lookup_async(8).await,
        Err(DemoError {
            code: 8,
            message: "not found".into(),
            typed: true
        })
    );
    assert_eq!(
        OutcomesImpl::lookup_async(13).await.unwrap_err().message,
        "Go handler of Outcomes::lookup_async panicked: lookup 13"
    );
    assert_eq!(OutcomesImpl::hold(1).await, Ok(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_reaches_the_go_context() {
    // hold(10 s) honours its context: the timeout drops the future, Go sees
    // the cancellation and returns at once, and the slot is freed.
    let r = tokio::time::timeout(Duration::from_millis(20), OutcomesImpl::hold(10_000)).await;
    assert!(r.is_err(), "a 10 s hold cannot finish in 20 ms");
    let start = std::time::Instant::now();
    while r2go::go_stats().handler_goroutines > 0 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the cancelled handler did not return"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_concurrent_bounds_handlers_without_dropping_calls() {
    let calls: Vec<_> = (0..30)
        .map(|_| tokio::spawn(LimitedImpl::busy(5)))
        .collect();
    for c in calls {
        let running = c.await.expect("busy task");
        assert!((1..=3).contains(&running), "{running} handlers ran at once");
    }
    // Every call ran; never more than three at once, and the bound was
    // reached (30 calls of 5 ms were in flight together).
    assert_eq!(LimitedImpl::peak(), 3);
}

#[test]
fn data_enum_errors_arrive_as_their_variants() {
    assert_eq!(OutcomesImpl::guard(0), Ok(0));
    assert_eq!(OutcomesImpl::guard(1), Err(DemoFault::Timeout));
    // A wrapped pointer to a variant is found in the chain.
    assert_eq!(
        OutcomesImpl::guard(2),
        Err(DemoFault::Denied {
            reason: "no badge".into()
        })
    );
    assert_eq!(
        OutcomesImpl::guard(3),
        Err(DemoFault::Other("guard offline".into()))
    );
    assert_eq!(
        OutcomesImpl::guard(4),
        Err(DemoFault::Other(
            "Go handler of Outcomes::guard panicked: guard panicked".into()
        ))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_enum_errors_arrive_as_their_constants() {
    assert_eq!(OutcomesImpl::status(0).await, Ok(()));
    assert_eq!(OutcomesImpl::status(1).await, Err(DemoCode::Busy));
    assert_eq!(OutcomesImpl::status(2).await, Err(DemoCode::Gone));
    assert_eq!(OutcomesImpl::status(3).await, Err(DemoCode::Unknown));
}
