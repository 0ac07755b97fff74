//! Calls from Go to Rust (`#[g2r]`), end to end through the real c-archive:
//! Rust calls the Go handlers of `GoSide`, which call `RustSide`, implemented
//! in Rust (`r2go_demo::host`), sync and async, with exact expected values.

#[path = "common/values.rs"]
mod values;
use values::{empty, maximal};

use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use r2go_demo::host::{noted, pending_dropped, Host};
use r2go_demo::user::{fragile_armed, DemoUser, GoSide, GoSideImpl, RustSideImpl};
use tokio::runtime::Runtime;

/// The runtime the Rust implementation is registered on, for every test of
/// this binary.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        RustSideImpl::register_on::<Host>(rt.handle().clone()).expect("registered");
        rt
    })
}

/// Waits, for at most 10 s, until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: not within 10 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_type_goes_both_ways() {
    runtime();
    for v in [empty(), maximal()] {
        let (via_sync, via_async) = GoSideImpl::echo_via_rust(&v).expect("echoed");
        assert_eq!(via_sync, v);
        assert_eq!(via_async, v);
    }
    let user = DemoUser {
        name: "Ada".into(),
        age: 36,
    };
    assert_eq!(
        GoSideImpl::greet_via_rust(&user, "Hello"),
        Ok("Hello, Ada (36)".to_string())
    );
}

#[test]
fn sync_and_async_rust_methods_from_sync_and_async_handlers() {
    let rt = runtime();
    assert_eq!(GoSideImpl::add_via_rust(2, 3), Ok(5));
    assert_eq!(GoSideImpl::add_via_rust(i64::MAX, 1), Ok(i64::MIN));
    assert_eq!(rt.block_on(GoSideImpl::add_via_rust_async(40, 2)), Ok(42));
}

#[test]
fn results_errors_and_panics_reach_go() {
    runtime();
    let cases: &[(u8, i64, &str)] = &[
        (0, 9, "err *errors.errorString: division by zero"),
        (1, 9, "ok 4"),
        (2, 5, "ok {Name:user5 Age:5}"),
        (
            2,
            500,
            "err gen.DemoError: DemoError{Code:404 Message:no user 500 Typed:true}",
        ),
        (3, 6, "ok {Name:user6 Age:6}"),
        (
            3,
            600,
            "err gen.DemoError: DemoError{Code:404 Message:no user 600 Typed:true}",
        ),
        (4, 0, "ok 7"),
        (4, 1, "err gen.DemoFaultDenied: DemoFaultDenied{Reason:no}"),
        (4, 2, "err gen.DemoFaultTimeout: DemoFaultTimeout{}"),
        (
            5,
            3,
            "err *errors.errorString: r2go: the Rust implementation of RustSide::boom panicked: boom 3",
        ),
        (
            6,
            4,
            "err *errors.errorString: r2go: the Rust implementation of RustSide::boom_async panicked: boom 4",
        ),
    ];
    for &(op, n, want) in cases {
        assert_eq!(GoSideImpl::outcome(op, n), want, "op {op}, n {n}");
    }
    // The process lives on, and the same methods work after a panic.
    assert_eq!(GoSideImpl::outcome(1, 10), "ok 5");
    let before = noted();
    assert_eq!(GoSideImpl::outcome(7, 5), "ok <nil>");
    assert!(noted() >= before + 5);
}

#[test]
fn a_reply_whose_drop_panics_after_go_copied_it_is_harmless() {
    runtime();
    fragile_armed().store(true, Ordering::SeqCst);
    assert_eq!(GoSideImpl::outcome(8, 8), "ok {ID:8}");
    assert_eq!(GoSideImpl::outcome(9, 9), "ok {ID:9}");
    fragile_armed().store(false, Ordering::SeqCst);
    assert_eq!(GoSideImpl::outcome(1, 4), "ok 2");
}

#[test]
fn deep_values_go_both_ways_and_too_deep_ones_fail_in_go() {
    runtime();
    assert_eq!(GoSideImpl::deep_via_rust(5_000), Ok((5_000, 5_000)));
    let err = GoSideImpl::deep_via_rust(20_000).expect_err("deeper than the depth limit");
    assert!(
        err.starts_with("r2go: the arguments of RustSide::echo_tree cannot be encoded:"),
        "{err}"
    );
}

#[test]
fn ten_thousand_goroutines_await_rust_at_once() {
    let rt = runtime();
    assert_eq!(rt.block_on(GoSideImpl::fan_out(10_000, 20)), Ok(10_000));
}

#[test]
fn cancelling_the_context_drops_the_rust_future() {
    let rt = runtime();
    let before = pending_dropped();
    assert_eq!(
        rt.block_on(GoSideImpl::cancel_pending(20, 7)),
        "context deadline exceeded"
    );
    eventually("the future of pending dropped", || {
        pending_dropped() > before
    });
}
