//! End-to-end tests: every demo method, through the real c-archive built by
//! build.rs, with exact expected values.

mod common;
use common::panic_text;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use r2go_demo::user::{
    DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoResponse, DemoUser, Nested, Scalars,
};

fn user(name: &str, age: u8) -> DemoUser {
    DemoUser {
        name: name.into(),
        age,
    }
}

fn scalars_max() -> Scalars {
    Scalars {
        flag: true,
        tiny: i8::MAX,
        small: i16::MAX,
        medium: i32::MAX,
        large: i64::MAX,
        word: isize::MAX,
        utiny: u8::MAX,
        usmall: u16::MAX,
        umedium: u32::MAX,
        ularge: u64::MAX,
        uword: usize::MAX,
        single: f32::MAX / 4.0,
        double: f64::MIN_POSITIVE,
    }
}

fn scalars_min() -> Scalars {
    Scalars {
        flag: false,
        tiny: i8::MIN,
        small: i16::MIN,
        medium: i32::MIN,
        large: i64::MIN,
        word: isize::MIN,
        utiny: 0,
        usmall: 0,
        umedium: 0,
        ularge: 0,
        uword: 0,
        single: -0.0,
        double: -1e300,
    }
}

/// The Rust twin of bump in handlers/demo/demo.go.
fn bump(s: Scalars) -> Scalars {
    Scalars {
        flag: !s.flag,
        tiny: s.tiny.wrapping_add(1),
        small: s.small.wrapping_add(1),
        medium: s.medium.wrapping_add(1),
        large: s.large.wrapping_add(1),
        word: s.word.wrapping_add(1),
        utiny: s.utiny.wrapping_add(1),
        usmall: s.usmall.wrapping_add(1),
        umedium: s.umedium.wrapping_add(1),
        ularge: s.ularge.wrapping_add(1),
        uword: s.uword.wrapping_add(1),
        single: s.single * 2.0,
        double: s.double * 2.0,
    }
}

fn rev<T, U>(v: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    v.iter().rev().map(f).collect()
}

#[allow(clippy::ptr_arg)] // used as fn(&String) -> String with rev()
fn rev_str(s: &String) -> String {
    s.chars().rev().collect()
}

fn mirror_user(u: &DemoUser) -> DemoUser {
    DemoUser {
        name: rev_str(&u.name),
        age: u.age.wrapping_add(1),
    }
}

/// The Rust twin of mirror in handlers/demo/demo.go.
fn mirror(n: &Nested) -> Nested {
    Nested {
        owner: mirror_user(&n.owner),
        matrix: rev(&n.matrix, |row| rev(row, |b| *b)),
        names: rev(&n.names, rev_str),
        groups: rev(&n.groups, |g| rev(g, mirror_user)),
        samples: rev(&n.samples, |s| bump(*s)),
        deep: rev(&n.deep, |a| rev(a, |b| rev(b, rev_str))),
        values: rev(&n.values, |v| -v),
    }
}

fn nested_full() -> Nested {
    Nested {
        owner: user("Zoë 🦀", 255),
        matrix: vec![vec![0, 255, 7], vec![], vec![1; 1000]],
        names: vec!["".into(), "héllo".into(), "世界".into(), "a\0b".into()],
        groups: vec![
            vec![user("a", 1), user("", 0)],
            vec![],
            vec![user("ünï", 200)],
        ],
        samples: vec![scalars_max(), scalars_min()],
        deep: vec![vec![vec!["x".into(), "".into()], vec![]], vec![]],
        values: vec![0.0, -1.5, f64::MAX, f64::MIN_POSITIVE],
    }
}

fn nested_empty() -> Nested {
    Nested {
        owner: user("", 0),
        matrix: vec![],
        names: vec![],
        groups: vec![],
        samples: vec![],
        deep: vec![],
        values: vec![],
    }
}

#[test]
fn oneway_then_sync_read_back() {
    let u = user("Ωmega ✓", 42);
    DemoCallImpl::demo_oneway(&u);
    assert_eq!(DemoCallImpl::last_user(), u);
    DemoCallImpl::demo_oneway(&user("", 0));
    assert_eq!(DemoCallImpl::last_user(), user("", 0));
}

#[test]
fn demo_check_sync() {
    let ok = DemoComplicatedRequest {
        users: vec![user("a", 18), user("b", 99)],
        balabala: vec![1],
    };
    assert_eq!(DemoCallImpl::demo_check(&ok), DemoResponse { pass: true });
    let minor = DemoComplicatedRequest {
        users: vec![user("a", 18), user("b", 17)],
        balabala: vec![1],
    };
    assert_eq!(
        DemoCallImpl::demo_check(&minor),
        DemoResponse { pass: false }
    );
    let no_bytes = DemoComplicatedRequest {
        users: vec![user("a", 30)],
        balabala: vec![],
    };
    assert_eq!(
        DemoCallImpl::demo_check(&no_bytes),
        DemoResponse { pass: false }
    );
    let nobody = DemoComplicatedRequest {
        users: vec![],
        balabala: vec![1, 2],
    };
    assert_eq!(
        DemoCallImpl::demo_check(&nobody),
        DemoResponse { pass: false }
    );
}

#[test]
fn add_wraps_at_the_extremes() {
    assert_eq!(DemoCallImpl::add(40, 2), 42);
    assert_eq!(DemoCallImpl::add(-7, 0), -7);
    assert_eq!(DemoCallImpl::add(i64::MAX, 1), i64::MIN);
    assert_eq!(DemoCallImpl::add(i64::MIN, -1), i64::MAX);
}

#[test]
fn bump_every_scalar_kind() {
    for s in [scalars_max(), scalars_min()] {
        assert_eq!(DemoCallImpl::bump(s), bump(s));
    }
    let b = DemoCallImpl::bump(scalars_max());
    assert_eq!(
        (b.large, b.ularge, b.uword, b.flag),
        (i64::MIN, 0, 0, false)
    );
}

#[test]
fn greet_with_unicode_and_empty_strings() {
    assert_eq!(
        DemoCallImpl::greet(&user("Alice", 30), "Grüß dich".into()),
        "Grüß dich, Alice!"
    );
    assert_eq!(DemoCallImpl::greet(&user("", 0), String::new()), ", !");
    let long = "🦀".repeat(10_000);
    assert_eq!(
        DemoCallImpl::greet(&user(&long, 1), "hi".into()),
        format!("hi, {long}!")
    );
}

#[test]
fn mirror_nested_values() {
    for n in [nested_full(), nested_empty()] {
        assert_eq!(DemoCallImpl::mirror(&n), mirror(&n));
    }
}

#[test]
fn go_panic_in_sync_call_panics_the_caller_and_the_bridge_goes_on() {
    let err =
        catch_unwind(|| DemoCallImpl::non_negative(-3)).expect_err("a Go panic must panic in Rust");
    assert_eq!(
        panic_text(err),
        "Go handler of DemoCall::non_negative panicked: non_negative: -3 is negative"
    );
    assert_eq!(DemoCallImpl::non_negative(3), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_return_exact_values() {
    let ok = DemoComplicatedRequest {
        users: vec![user("a", 18)],
        balabala: vec![0],
    };
    assert_eq!(
        DemoCallImpl::demo_check_async(ok).await,
        DemoResponse { pass: true }
    );
    let minor = DemoComplicatedRequest {
        users: vec![user("a", 3)],
        balabala: vec![0],
    };
    assert_eq!(
        DemoCallImpl::demo_check_async(minor).await,
        DemoResponse { pass: false }
    );
    for n in [nested_full(), nested_empty()] {
        let want = mirror(&n);
        assert_eq!(DemoCallImpl::mirror_async(n).await, want);
    }
    assert_eq!(DemoCallImpl::sleep_echo(1, u64::MAX).await, u64::MAX);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_panic_in_async_call_panics_the_task() {
    let err = tokio::spawn(DemoCallImpl::panic_async("boom ✗".into()))
        .await
        .expect_err("task must panic");
    assert_eq!(
        panic_text(err.into_panic()),
        "Go handler of DemoCall::panic_async panicked: boom ✗"
    );
    assert_eq!(DemoCallImpl::sleep_echo(0, 7).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_async_calls() {
    let mut tasks = Vec::with_capacity(10_000);
    for i in 0..10_000u64 {
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let n = Nested {
                    owner: user(&format!("user {i}"), (i % 256) as u8),
                    names: vec![i.to_string()],
                    values: vec![i as f64],
                    ..nested_empty()
                };
                let want = mirror(&n);
                assert_eq!(DemoCallImpl::mirror_async(n).await, want, "call {i}");
            } else {
                assert_eq!(
                    DemoCallImpl::sleep_echo((i % 3) as u32, i).await,
                    i,
                    "call {i}"
                );
            }
        }));
    }
    for t in tasks {
        t.await.expect("every call returns its own value");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_handler_does_not_block_other_calls() {
    let slow = tokio::spawn(DemoCallImpl::sleep_echo(3_000, 1));
    tokio::time::sleep(Duration::from_millis(20)).await;
    for i in 0..200u64 {
        assert_eq!(DemoCallImpl::sleep_echo(0, i).await, i);
        assert_eq!(DemoCallImpl::add(i as i64, 1), i as i64 + 1);
    }
    assert!(
        !slow.is_finished(),
        "the slow call finished before the quick ones: they were not concurrent"
    );
    assert_eq!(slow.await.expect("slow call"), 1);
}

#[test]
fn futures_are_send_and_static() {
    fn assert_send_static<T: Send + 'static>(_: &T) {}
    let f = DemoCallImpl::sleep_echo(0, 0);
    assert_send_static(&f);
    let g = DemoCallImpl::demo_check_async(DemoComplicatedRequest {
        users: vec![],
        balabala: vec![],
    });
    assert_send_static(&g);
    drop((f, g));
}

#[test]
fn panicking_inside_a_sync_call_leaves_no_state_behind() {
    for i in 0..100 {
        assert!(catch_unwind(AssertUnwindSafe(|| DemoCallImpl::non_negative(-1 - i))).is_err());
    }
    assert_eq!(DemoCallImpl::add(1, 1), 2);
}

/// test.sh runs this suite a second time with GOEXPERIMENT=cgocheck2; this
/// proves the Go side linked into that run was really built that way.
#[test]
fn go_side_is_built_with_the_callers_goexperiment() {
    let want = std::env::var("GOEXPERIMENT").unwrap_or_default();
    assert_eq!(DemoCallImpl::go_experiment(), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_future_cancels_the_go_context() {
    let before = DemoCallImpl::cancellations();
    let start = std::time::Instant::now();
    let r = tokio::time::timeout(
        Duration::from_millis(20),
        DemoCallImpl::wait_for_cancel(10_000),
    )
    .await;
    assert!(r.is_err(), "a 10 s wait cannot finish within 20 ms");
    while DemoCallImpl::cancellations() == before {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "Go never saw the cancellation"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(DemoCallImpl::cancellations(), before + 1);
    // A call that is awaited to the end is not cancelled.
    assert!(!DemoCallImpl::wait_for_cancel(1).await);
    assert_eq!(DemoCallImpl::cancellations(), before + 1);
}
