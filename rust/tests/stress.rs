//! A million calls on tokio multi-thread: async calls (a random share
//! dropped or timed out mid-flight, some failing, panicking, calling
//! runtime.Goexit or panicking with nil) and sync calls that lend structs,
//! strings, vectors and maps and get them back, plus values nested to the
//! depth limit and past it, both ways (the limit lowered to [`DEPTH`] to keep
//! the run short: values that deep already leave the caller's stack for a
//! thread of their own, in both directions). Every call's value is checked, every
//! kind of call is counted against the number the seeded generator made,
//! and afterwards the live slots, the Rust allocations, the Go goroutines and
//! Go's registries are back to their baselines. Its own test binary: it
//! counts every allocation of the process.

mod common;
use common::Rng;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use r2go::GoErrorKind;
#[path = "common/chain.rs"]
mod chain;
use chain::{unchain, Chain};

use r2go_demo::user::{
    DemoCall, DemoCallImpl, DemoUser, Hostile, HostileImpl, Nested, Outcomes, OutcomesImpl,
    TypesCall, TypesCallImpl,
};

#[path = "common/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// Allocations the runtimes may keep after a round, independent of the
/// number of calls.
const SLACK: i64 = 32;

/// The depth limit of this run.
const DEPTH: usize = 2_000;

/// The kinds of calls, chosen by `r % 10_000` of the call's random number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ok,
    Error,
    Panic,
    Sleep,
    Timeout,
    DroppedUnpolled,
    DroppedAfterPoll,
    Greet,
    Mirror,
    Invert,
    MirrorAsync,
    Goexit,
    NilPanic,
    NilPanicAsync,
    BadUtf8,
    LendPastLimit,
    DeepResult,
    DeepArgument,
}

const KINDS: [(Kind, u64); 18] = [
    // (kind, the last r % 10_000 that selects it)
    (Kind::Ok, 3_999),
    (Kind::Error, 4_799),
    (Kind::Panic, 5_199),
    (Kind::Sleep, 5_999),
    (Kind::Timeout, 6_999),
    (Kind::DroppedUnpolled, 7_399),
    (Kind::DroppedAfterPoll, 7_799),
    (Kind::Greet, 8_399),
    (Kind::Mirror, 8_799),
    (Kind::Invert, 9_099),
    (Kind::MirrorAsync, 9_299),
    (Kind::Goexit, 9_499),
    (Kind::NilPanic, 9_699),
    (Kind::NilPanicAsync, 9_899),
    (Kind::BadUtf8, 9_993),
    (Kind::LendPastLimit, 9_995),
    (Kind::DeepResult, 9_997),
    (Kind::DeepArgument, 9_999),
];

fn kind_of(r: u64) -> usize {
    let x = r % 10_000;
    KINDS.iter().position(|&(_, last)| x <= last).unwrap()
}

#[derive(Default)]
struct Tally {
    /// Calls made, per kind (indexes of KINDS).
    made: [AtomicU64; KINDS.len()],
    /// Calls of Kind::Timeout that timed out (the others returned).
    timed_out: AtomicU64,
}

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

/// Polls a future once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(NoWake));
    let mut cx = Context::from_waker(&waker);
    Pin::new(f).poll(&mut cx)
}

fn user(name: &str, age: u8) -> DemoUser {
    DemoUser {
        name: name.into(),
        age,
    }
}

/// A value with strings, vectors and structs at every depth.
fn nested(n: u64) -> Nested {
    Nested {
        owner: user(&format!("owner {n}"), n as u8),
        matrix: vec![vec![1, 2, 3], vec![]],
        names: vec![format!("n{n}"), "é€".into()],
        groups: vec![vec![user("a", 1), user("bc", 255)], vec![]],
        samples: vec![],
        deep: vec![vec![vec!["xy".into(), String::new()], vec![]]],
        values: vec![1.5, -0.25],
    }
}

fn rev<T, U>(v: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    v.iter().rev().map(f).collect()
}

fn rev_str(s: &str) -> String {
    s.chars().rev().collect()
}

fn mirror_user(u: &DemoUser) -> DemoUser {
    user(&rev_str(&u.name), u.age.wrapping_add(1))
}

/// The Rust twin of mirror in handlers/demo/demo.go, for values without samples.
fn mirrored(n: &Nested) -> Nested {
    assert!(n.samples.is_empty());
    Nested {
        owner: mirror_user(&n.owner),
        matrix: rev(&n.matrix, |row| rev(row, |b| *b)),
        names: rev(&n.names, |s| rev_str(s)),
        groups: rev(&n.groups, |g| rev(g, mirror_user)),
        samples: vec![],
        deep: rev(&n.deep, |a| rev(a, |b| rev(b, |s| rev_str(s)))),
        values: rev(&n.values, |v| -v),
    }
}

/// What the workers share: values lent by many calls at once.
struct Shared {
    at_limit: Chain,
    past_limit: Chain,
    past_limit_error: String,
}

impl Shared {
    fn new() -> Arc<Self> {
        let limit = r2go::max_depth();
        let shown = "TreeNode.next: ".repeat(7);
        Arc::new(Shared {
            at_limit: Chain::new(limit),
            past_limit: Chain::new(limit + 1),
            past_limit_error: format!(
                "r2go: the arguments of Hostile::chain_len_result cannot be lent to Go: t: {shown}… {} more …: {shown}TreeNode.value: nested deeper than the depth limit of {limit} levels",
                limit + 2 - 16
            ),
        })
    }
}

async fn call(r: u64, kind: Kind, shared: &Shared, tally: &Tally) {
    let n = r >> 20;
    let want = n * 2 + 1;
    match kind {
        Kind::Ok => assert_eq!(OutcomesImpl::work(0, n).await, Ok(want)),
        Kind::Error => assert_eq!(OutcomesImpl::work(1, n).await, Err(format!("odd {n}"))),
        Kind::Panic => assert_eq!(
            OutcomesImpl::work(2, n).await,
            Err(format!("Go handler of Outcomes::work panicked: panic {n}"))
        ),
        // Sleeps n % 7 ms in Go.
        Kind::Sleep => assert_eq!(OutcomesImpl::work(3, n).await, Ok(want)),
        Kind::Timeout => {
            let limit = Duration::from_micros(r % 3_000);
            match tokio::time::timeout(limit, OutcomesImpl::work(3, n)).await {
                Ok(v) => assert_eq!(v, Ok(want)),
                Err(_) => {
                    tally.timed_out.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Kind::DroppedUnpolled => drop(OutcomesImpl::work(3, n)),
        Kind::DroppedAfterPoll => {
            let mut f = Box::pin(OutcomesImpl::work(3, n));
            if let Poll::Ready(v) = poll_once(&mut f) {
                assert_eq!(v, Ok(want));
            }
            drop(f);
        }
        Kind::Greet => {
            let name = format!("user {n}");
            assert_eq!(
                DemoCallImpl::greet(&user(&name, 7), "Hi".into()),
                format!("Hi, {name}!")
            );
        }
        Kind::Mirror => {
            let v = nested(n);
            assert_eq!(DemoCallImpl::mirror(&v), mirrored(&v));
        }
        Kind::Invert => {
            let m: HashMap<String, u32> =
                [(format!("k{n}"), 1), ("é".to_string(), n as u32 | 2)].into();
            let want: BTreeMap<u32, String> =
                [(1, format!("k{n}")), (n as u32 | 2, "é".to_string())].into();
            assert_eq!(TypesCallImpl::invert(&m), want);
        }
        Kind::MirrorAsync => {
            let v = nested(n);
            let want = mirrored(&v);
            assert_eq!(DemoCallImpl::mirror_async(v).await, want);
        }
        Kind::Goexit => {
            let e = HostileImpl::goexit_result(0).await.unwrap_err();
            assert_eq!(
                (e.kind(), e.message()),
                (GoErrorKind::Panicked, "the handler called runtime.Goexit")
            );
        }
        Kind::NilPanic => {
            let e = HostileImpl::nil_panic_result().unwrap_err();
            assert_eq!(e.kind(), GoErrorKind::Panicked);
            assert!(e.message().starts_with("panic called with nil argument"), "{e}");
        }
        Kind::NilPanicAsync => {
            let e = HostileImpl::nil_panic_result_async().await.unwrap_err();
            assert_eq!(e.kind(), GoErrorKind::Panicked);
            assert!(e.message().starts_with("panic called with nil argument"), "{e}");
        }
        Kind::BadUtf8 => assert_eq!(
            HostileImpl::bad_utf8_result_async().await,
            Err("r2go: the result of Hostile::bad_utf8_result_async from Go cannot be decoded: DemoUser.name: Go string is not valid UTF-8 (invalid byte at offset 2)".into())
        ),
        Kind::LendPastLimit => assert_eq!(
            HostileImpl::chain_len_result(shared.past_limit.get()),
            Err(shared.past_limit_error.clone())
        ),
        Kind::DeepResult => {
            let got = HostileImpl::chain_result_async(r2go::max_depth() as u32).await;
            assert_eq!(unchain(got.unwrap()), r2go::max_depth());
        }
        Kind::DeepArgument => assert_eq!(
            HostileImpl::chain_len(shared.at_limit.get()) as usize,
            r2go::max_depth()
        ),
    }
    tally.made[kind_of(r)].fetch_add(1, Ordering::Relaxed);
}

async fn worker(seed: u64, calls: u64, shared: Arc<Shared>, tally: Arc<Tally>) {
    let mut rng = Rng(seed | 1);
    for _ in 0..calls {
        let r = rng.next();
        call(r, KINDS[kind_of(r)].0, &shared, &tally).await;
    }
}

fn seed_of(round: u64, w: u64) -> u64 {
    round.wrapping_mul(1_000_003) ^ (w + 1)
}

async fn round(workers: u64, calls_per_worker: u64, seed: u64, shared: &Arc<Shared>) -> Arc<Tally> {
    let tally = Arc::new(Tally::default());
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            tokio::spawn(worker(
                seed_of(seed, w),
                calls_per_worker,
                shared.clone(),
                tally.clone(),
            ))
        })
        .collect();
    for t in tasks {
        t.await.expect("a worker failed");
    }
    tally
}

/// How many calls of each kind a round makes: its generator, replayed.
fn expected(workers: u64, calls_per_worker: u64, seed: u64) -> [u64; KINDS.len()] {
    let mut want = [0; KINDS.len()];
    for w in 0..workers {
        let mut rng = Rng(seed_of(seed, w) | 1);
        for _ in 0..calls_per_worker {
            want[kind_of(rng.next())] += 1;
        }
    }
    want
}

/// Waits until no call is alive on either side and Go's registries are
/// empty.
async fn settle() {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_async_calls() == 0
            && (
                go.calls,
                go.handler_goroutines,
                go.cancel_entries,
                go.limiter_places,
            ) == (0, 0, 0, 0)
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "calls did not settle: {} live slots, {go:?}",
            r2go::live_async_calls()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_calls_leave_nothing_behind() {
    assert_eq!(r2go::set_max_depth(DEPTH), DEPTH);
    let shared = Shared::new();
    // Warm up: tokio, the Go scheduler and both runtimes' pools reach their
    // steady size, so what is left afterwards is a baseline, not a leak.
    round(256, 200, 7, &shared).await;
    settle().await;
    let allocs = alloc::live_allocs();
    let goroutines = r2go::go_stats().goroutines;

    const WORKERS: u64 = 256;
    const PER_WORKER: u64 = 3_907;
    const _: () = assert!(WORKERS * PER_WORKER == 1_000_192);
    let start = Instant::now();
    let t = round(WORKERS, PER_WORKER, 42, &shared).await;
    let elapsed = start.elapsed();
    settle().await;

    // Every call was made and checked, kind by kind.
    let made: Vec<u64> = t.made.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    let want = expected(WORKERS, PER_WORKER, 42);
    for (i, (kind, _)) in KINDS.iter().enumerate() {
        eprintln!("{kind:?}: {}", made[i]);
    }
    assert_eq!(made, want);
    assert_eq!(made.iter().sum::<u64>(), 1_000_192);
    // Timeouts both cut calls short and let some finish. How many of each
    // depends on the machine's timers: natively most of them time out, under
    // an emulator (where tokio's timer fires late) about a tenth do. At
    // least 1% either way still runs both paths a thousand times.
    let timed_out = t.timed_out.load(Ordering::Relaxed);
    let timeouts = want[KINDS.iter().position(|k| k.0 == Kind::Timeout).unwrap()];
    let both = timeouts / 100;
    assert!(
        (both..timeouts - both).contains(&timed_out),
        "{timed_out} of {timeouts} calls timed out"
    );
    eprintln!("1000192 calls in {elapsed:?}, {timed_out} timed out");

    assert_eq!(r2go::live_async_calls(), 0);
    let go = r2go::go_stats();
    assert_eq!(
        (
            go.calls,
            go.handler_goroutines,
            go.cancel_entries,
            go.limiter_places
        ),
        (0, 0, 0, 0),
        "Go's counters and registries"
    );
    assert_eq!(go.goroutines, goroutines, "Go goroutines before and after");
    drop(t);
    // tokio may keep a few more buffers of its own after a heavier round
    // (queues and timer levels grow once); a leak of even one allocation in
    // 30,000 calls exceeds this bound.
    let grown = alloc::live_allocs() - allocs;
    eprintln!("live Rust allocations: {allocs} before, {grown:+} after");
    assert!(
        (-SLACK..=SLACK).contains(&grown),
        "live Rust allocations grew by {grown} over 1000192 calls"
    );
    drop(shared);
}
