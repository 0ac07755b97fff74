//! Hostile handlers and values, each case in a process of its own: what
//! these cases guard against kills a process (a stack overflow, a panic
//! inside Go's callback, Go's own fatal errors) or wedges it (a call that
//! never completes), and some shut the Go side down for good. Each test runs
//! this binary again with only its case selected (and `CASE` set), waits for
//! it within [`LIMIT`], and checks how it ended.

mod common;
use common::panic_text;

use std::future::Future;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use r2go::{GoError, GoErrorKind};
#[path = "common/chain.rs"]
mod chain;
use chain::{unchain, Chain};

use r2go_demo::user::{
    fragile_armed, DemoUser, Empty, Hostile, HostileImpl, Limited, LimitedImpl, Outcomes,
    OutcomesImpl, TypesCall, TypesCallImpl,
};

/// The variable that selects a case in the child.
const CASE: &str = "R2GO_HOSTILE_CASE";

/// How long a case may take before its process is killed and the test fails.
const LIMIT: Duration = Duration::from_secs(120);

/// Runs `body` in a child process and returns how the child ended; in the
/// child itself (selected by `name`), runs `body` and returns None.
fn in_child(name: &str, env: &[(&str, &str)], body: impl FnOnce()) -> Option<Output> {
    if std::env::var(CASE).as_deref() == Ok(name) {
        body();
        return None;
    }
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CASE, name)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the child");
    // Drained while the child runs, so that it never blocks on a full pipe.
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut p) = pipe {
                p.read_to_end(&mut out).expect("read the child's output");
            }
            out
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if start.elapsed() > LIMIT {
            child.kill().expect("kill the child");
            child.wait().expect("wait for the killed child");
            panic!(
                "case {name} did not end within {LIMIT:?}; its stderr:\n{}",
                String::from_utf8_lossy(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Some(Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

/// Runs `body` in a child process that must succeed.
fn case(name: &str, env: &[(&str, &str)], body: impl FnOnce()) {
    if let Some(out) = in_child(name, env, body) {
        assert!(
            out.status.success(),
            "case {name} failed ({}); its stderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs `f` on a thread with a 2 MiB stack, the default of threads and of
/// tokio's workers.
fn on_2mib_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// A tokio runtime like the tests' (two workers with 2 MiB stacks).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn panic_of<R>(f: impl FnOnce() -> R) -> String {
    panic_text(catch_unwind(AssertUnwindSafe(f)).err().expect("a panic"))
}

/// The panic of an async call, polled on a task.
async fn async_panic_of<R: Send + 'static>(f: impl Future<Output = R> + Send + 'static) -> String {
    panic_text(tokio::spawn(f).await.err().expect("a panic").into_panic())
}

/// Waits until both sides have forgotten every call, then checks every
/// counter.
fn settled() {
    let start = Instant::now();
    loop {
        let go = r2go::go_stats();
        if r2go::live_async_calls() == 0 && go.calls == 0 && go.handler_goroutines == 0 {
            assert_eq!((go.cancel_entries, go.limiter_places), (0, 0), "{go:?}");
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "calls did not settle: {} live slots, {go:?}",
            r2go::live_async_calls()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

const GO_TOO_DEEP: &str =
    "TreeNode is nested deeper than the depth limit of 10000 levels (is the value cyclic?)";

/// The message of a lent chain deeper than `limit`: the argument, then
/// `limit` fields `next` and the first field of the node past the limit, of
/// which the 8 outermost and 8 innermost steps show.
fn lent_too_deep(what: &str, limit: usize) -> String {
    format!(
        "r2go: the arguments of {what} cannot be lent to Go: t: {}… {} more …: {}TreeNode.value: nested deeper than the depth limit of {limit} levels",
        "TreeNode.next: ".repeat(7),
        limit + 2 - 16,
        "TreeNode.next: ".repeat(7),
    )
}

#[test]
fn deep_results_round_trip_up_to_the_limit_and_fail_past_it() {
    case(
        "deep_results_round_trip_up_to_the_limit_and_fail_past_it",
        &[],
        || {
            assert_eq!(r2go::max_depth(), 10_000);
            // Sync: decoded on the caller, a 2 MiB thread, after Go returned.
            on_2mib_thread(|| {
                assert_eq!(unchain(HostileImpl::chain(10_000)), 10_000);
                assert_eq!(unchain(HostileImpl::chain_result(10_000).unwrap()), 10_000);
                // A round trip: lent to Go, copied, encoded and decoded back.
                let sent = Chain::new(10_000);
                let back = TypesCallImpl::echo_tree(Box::new(sent.take()));
                assert_eq!(unchain(*back), 10_000);
                for n in [10_001, 25_000] {
                    assert_eq!(
                        panic_of(|| HostileImpl::chain(n)),
                        format!(
                            "r2go: Go cannot encode the result of Hostile::chain: {GO_TOO_DEEP}"
                        )
                    );
                }
                let e = HostileImpl::chain_result(10_001).unwrap_err();
                assert_eq!(e.kind(), GoErrorKind::Invalid);
                assert_eq!(
                    e.to_string(),
                    format!(
                        "r2go: Go cannot encode the result of Hostile::chain_result: {GO_TOO_DEEP}"
                    )
                );
            });
            // Async: decoded in poll, on a tokio worker (2 MiB), not on Go's thread.
            runtime().block_on(async {
            assert_eq!(unchain(HostileImpl::chain_async(10_000).await), 10_000);
            let got = tokio::spawn(HostileImpl::chain_result_async(10_000)).await.unwrap();
            assert_eq!(unchain(got.unwrap()), 10_000);
            assert_eq!(
                async_panic_of(HostileImpl::chain_async(25_000)).await,
                format!("r2go: Go cannot encode the result of Hostile::chain_async: {GO_TOO_DEEP}")
            );
            let e = HostileImpl::chain_result_async(10_001).await.unwrap_err();
            assert_eq!((e.kind(), e.message()), (GoErrorKind::Invalid, &*format!("Go cannot encode the result of Hostile::chain_result_async: {GO_TOO_DEEP}")));
        });
            settled();
        },
    );
}

#[test]
fn deep_arguments_are_lent_up_to_the_limit_and_refused_past_it() {
    case(
        "deep_arguments_are_lent_up_to_the_limit_and_refused_past_it",
        &[],
        || {
            let (at_limit, past) = (Chain::new(10_000), Chain::new(10_001));
            let far = Chain::new(100_000);
            let (at_limit, past) = on_2mib_thread(move || {
                assert_eq!(HostileImpl::chain_len(at_limit.get()), 10_000);
                assert_eq!(HostileImpl::chain_len_result(at_limit.get()), Ok(10_000));
                assert_eq!(
                    panic_of(|| HostileImpl::chain_len(past.get())),
                    lent_too_deep("Hostile::chain_len", 10_000)
                );
                // Lending stops at the limit, however deep the value goes.
                assert_eq!(
                    panic_of(|| HostileImpl::chain_len(far.get())),
                    lent_too_deep("Hostile::chain_len", 10_000)
                );
                assert_eq!(
                    HostileImpl::chain_len_result(past.get()),
                    Err(lent_too_deep("Hostile::chain_len_result", 10_000))
                );
                (at_limit.take(), past.take())
            });
            runtime().block_on(async move {
                // The method drops owned arguments, here on this 8 MiB
                // thread, where Rust's drop of 10,000 nodes fits.
                assert_eq!(HostileImpl::chain_len_async(at_limit).await, 10_000);
                // Refused before Go is called: the future reports it when
                // polled.
                assert_eq!(
                    async_panic_of(HostileImpl::chain_len_async(past)).await,
                    lent_too_deep("Hostile::chain_len_async", 10_000)
                );
            });
            settled();
        },
    );
}

#[test]
fn a_cyclic_go_value_fails_its_call() {
    case("a_cyclic_go_value_fails_its_call", &[], || {
        let e = HostileImpl::cycle().unwrap_err();
        assert_eq!(e.kind(), GoErrorKind::Invalid);
        assert_eq!(
            e.message(),
            format!("Go cannot encode the result of Hostile::cycle: {GO_TOO_DEEP}")
        );
        settled();
    });
}

#[test]
fn the_depth_limit_is_set_for_both_sides() {
    case("the_depth_limit_is_set_for_both_sides", &[], || {
        assert_eq!(r2go::set_max_depth(0), 1);
        assert_eq!(r2go::set_max_depth(usize::MAX), 100_000);
        assert_eq!(r2go::set_max_depth(100), 100);
        assert_eq!(r2go::max_depth(), 100);
        assert_eq!(unchain(HostileImpl::chain(100)), 100);
        assert_eq!(
            HostileImpl::chain_result(101).unwrap_err().message(),
            "Go cannot encode the result of Hostile::chain_result: TreeNode is nested deeper than the depth limit of 100 levels (is the value cyclic?)"
        );
        assert_eq!(HostileImpl::chain_len(Chain::new(100).get()), 100);
        assert_eq!(
            HostileImpl::chain_len_result(Chain::new(101).get()),
            Err(lent_too_deep("Hostile::chain_len_result", 100))
        );
        // 100,000 levels on a 2 MiB thread, both ways.
        r2go::set_max_depth(100_000);
        on_2mib_thread(|| {
            assert_eq!(unchain(HostileImpl::chain(100_000)), 100_000);
            assert_eq!(HostileImpl::chain_len(Chain::new(100_000).get()), 100_000);
        });
        settled();
    });
}

#[test]
fn a_panicking_drop_never_runs_inside_go() {
    case("a_panicking_drop_never_runs_inside_go", &[], || {
        fragile_armed().store(true, std::sync::atomic::Ordering::SeqCst);
        // The late result of a dropped call is freed undecoded: no Fragile
        // is made, so none is dropped inside Go's callback.
        runtime().block_on(async {
            for id in 0..50 {
                drop(HostileImpl::fragile(20, id));
            }
            let r =
                tokio::time::timeout(Duration::from_millis(1), HostileImpl::fragile(30, 50)).await;
            assert!(r.is_err(), "a 30 ms call cannot finish in 1 ms");
        });
        settled();
        // A result that fails to decode after a Fragile was made drops it on
        // the caller: an ordinary panic there, sync or async.
        assert_eq!(
            panic_of(|| HostileImpl::fragile_then_invalid(7)),
            "Fragile 7 dropped"
        );
        runtime().block_on(async {
            assert_eq!(
                async_panic_of(HostileImpl::fragile_then_invalid_async(8)).await,
                "Fragile 8 dropped"
            );
            // A result delivered whole belongs to the caller.
            let f = HostileImpl::fragile(0, 9).await;
            assert_eq!(f.id, 9);
            fragile_armed().store(false, std::sync::atomic::Ordering::SeqCst);
            drop(f);
        });
        settled();
    });
}

#[test]
fn goexit_in_an_async_handler_completes_the_call_and_frees_its_place() {
    case(
        "goexit_in_an_async_handler_completes_the_call_and_frees_its_place",
        &[],
        || {
            runtime().block_on(async {
                let within = Duration::from_secs(10);
                assert_eq!(
                    async_panic_of(HostileImpl::goexit(0)).await,
                    "Go handler of Hostile::goexit panicked: the handler called runtime.Goexit"
                );
                let e: GoError = tokio::time::timeout(within, HostileImpl::goexit_result(1))
                    .await
                    .expect("the call completes")
                    .unwrap_err();
                assert_eq!(
                    (e.kind(), e.message()),
                    (GoErrorKind::Panicked, "the handler called runtime.Goexit")
                );
                // Limited allows 3 handlers at once: 10 that exit through Goexit
                // must give their places back, or busy() would wait forever.
                let exits: Vec<_> = (0..10)
                    .map(|_| tokio::spawn(LimitedImpl::busy_goexit(2)))
                    .collect();
                for e in exits {
                    let p = tokio::time::timeout(within, e)
                        .await
                        .expect("busy_goexit completes");
                    assert!(p.is_err(), "busy_goexit cannot return a value");
                }
                let busy = tokio::time::timeout(within, LimitedImpl::busy(1))
                    .await
                    .expect("a place is free");
                assert_eq!(busy, 1);
            });
            settled();
        },
    );
}

const NIL_SYNC: &str = "the handler did not return: it panicked with a nil value (GODEBUG=panicnil=1) or called runtime.Goexit";

#[test]
fn nil_panics_under_panicnil_are_panics_not_returns() {
    // A user's setting this test needs: the child runs with it.
    case(
        "nil_panics_under_panicnil_are_panics_not_returns",
        &[("GODEBUG", "panicnil=1")],
        || {
            assert_eq!(
                panic_of(HostileImpl::nil_panic),
                format!("Go handler of Hostile::nil_panic panicked: {NIL_SYNC}")
            );
            assert_eq!(
                panic_of(HostileImpl::nil_panic_oneway),
                format!("Go handler of Hostile::nil_panic_oneway panicked: {NIL_SYNC}")
            );
            let e = HostileImpl::nil_panic_result().unwrap_err();
            assert_eq!((e.kind(), e.message()), (GoErrorKind::Panicked, NIL_SYNC));
            runtime().block_on(async {
                assert_eq!(
                    async_panic_of(HostileImpl::nil_panic_async()).await,
                    "Go handler of Hostile::nil_panic_async panicked: the handler panicked with a nil value (GODEBUG=panicnil=1)"
                );
            });
            settled();
        },
    );
}

#[test]
fn nil_panics_are_panics() {
    case("nil_panics_are_panics", &[], || {
        // Go's *runtime.PanicNilError, whose text varies with Go's version.
        let nil = "panic called with nil argument";
        let p = panic_of(HostileImpl::nil_panic);
        assert!(
            p.starts_with(&format!("Go handler of Hostile::nil_panic panicked: {nil}")),
            "{p}"
        );
        let p = panic_of(HostileImpl::nil_panic_oneway);
        assert!(
            p.starts_with(&format!(
                "Go handler of Hostile::nil_panic_oneway panicked: {nil}"
            )),
            "{p}"
        );
        let e = HostileImpl::nil_panic_result().unwrap_err();
        assert!(
            e.kind() == GoErrorKind::Panicked && e.message().starts_with(nil),
            "{e:?}"
        );
        runtime().block_on(async {
            let p = async_panic_of(HostileImpl::nil_panic_async()).await;
            assert!(
                p.starts_with(&format!(
                    "Go handler of Hostile::nil_panic_async panicked: {nil}"
                )),
                "{p}"
            );
        });
        settled();
    });
}

#[test]
fn concurrent_shutdowns_all_return_when_the_calls_drain() {
    case(
        "concurrent_shutdowns_all_return_when_the_calls_drain",
        &[],
        || {
            let rt = runtime();
            let hold = rt.spawn(OutcomesImpl::hold(300));
            let start = Instant::now();
            while r2go::go_stats().calls == 0 {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "the call never started"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
            let shutdowns: Vec<_> = (0..2)
                .map(|_| std::thread::spawn(|| r2go::shutdown(Duration::from_secs(20))))
                .collect();
            for s in shutdowns {
                assert_eq!(s.join().unwrap(), Ok(()));
            }
            let waited = start.elapsed();
            assert!(
                (Duration::from_millis(250)..Duration::from_secs(5)).contains(&waited),
                "both shutdowns returned after {waited:?}, the call took 300 ms"
            );
            assert_eq!(rt.block_on(hold).unwrap(), Ok(false));
            // A later one returns at once.
            let start = Instant::now();
            assert_eq!(r2go::shutdown(Duration::from_secs(20)), Ok(()));
            assert!(start.elapsed() < Duration::from_secs(1));
            settled();
        },
    );
}

const REFUSED: &str = "r2go: the Go side is shut down and accepts no calls";

#[test]
fn shutdown_inside_a_sync_handler_returns_at_once() {
    case(
        "shutdown_inside_a_sync_handler_returns_at_once",
        &[],
        || {
            assert_eq!(
            HostileImpl::shutdown_inside(),
            "r2go: Shutdown was called from inside a handler and did not wait, since the handler's own call would never finish first: the Go side accepts no new calls; calls in flight, this one included: 1"
        );
            assert_eq!(
                OutcomesImpl::divide(4, 2),
                Err(format!("r2go: Outcomes::divide was not run: {REFUSED}"))
            );
            let start = Instant::now();
            assert_eq!(r2go::shutdown(Duration::from_secs(20)), Ok(()));
            assert!(start.elapsed() < Duration::from_secs(1));
            settled();
        },
    );
}

#[test]
fn shutdown_inside_an_async_handler_returns_at_once() {
    case(
        "shutdown_inside_an_async_handler_returns_at_once",
        &[],
        || {
            let text = runtime().block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(10),
                    HostileImpl::shutdown_inside_async(),
                )
                .await
                .expect("the handler returned")
            });
            let prefix = "r2go: Shutdown was called from inside a handler and did not wait, since the handler's own call would never finish first: the Go side accepts no new calls; calls in flight, this one included: ";
            assert!(text.starts_with(prefix), "{text}");
            assert_eq!(
                OutcomesImpl::divide(4, 2),
                Err(format!("r2go: Outcomes::divide was not run: {REFUSED}"))
            );
            assert_eq!(r2go::shutdown(Duration::from_secs(20)), Ok(()));
            settled();
        },
    );
}

#[test]
fn go_text_that_is_not_utf8() {
    case("go_text_that_is_not_utf8", &[], || {
        let decode = "DemoUser.name: Go string is not valid UTF-8 (invalid byte at offset 2)";
        assert_eq!(
            panic_of(HostileImpl::bad_utf8),
            format!("r2go: the result of Hostile::bad_utf8 from Go cannot be decoded: {decode}")
        );
        let e = HostileImpl::bad_utf8_result().unwrap_err();
        assert_eq!(
            (e.kind(), e.message()),
            (
                GoErrorKind::Invalid,
                &*format!(
                    "the result of Hostile::bad_utf8_result from Go cannot be decoded: {decode}"
                )
            )
        );
        let got: Result<DemoUser, String> =
            runtime().block_on(HostileImpl::bad_utf8_result_async());
        assert_eq!(
            got,
            Err(format!("r2go: the result of Hostile::bad_utf8_result_async from Go cannot be decoded: {decode}"))
        );
        // Texts are shown, with the bytes that are not UTF-8 escaped.
        assert_eq!(
            HostileImpl::bad_utf8_error(),
            Err("bad \\xff error".to_string())
        );
        let e = HostileImpl::bad_utf8_panic().unwrap_err();
        assert_eq!(
            (e.kind(), e.message()),
            (GoErrorKind::Panicked, "bad \\xfe panic")
        );
        settled();
    });
}

#[test]
fn empty_structs_cross() {
    case("empty_structs_cross", &[], || {
        assert_eq!(HostileImpl::empty(&Empty {}), Empty {});
        assert_eq!(
            HostileImpl::maybe_empty(Some(Empty {}), (Empty {},)),
            Some(Empty {})
        );
        assert_eq!(HostileImpl::maybe_empty(None, (Empty {},)), None);
        settled();
    });
}

/// How a case whose process Go ended ended: its exit code, or the signal
/// that killed it, and its stderr.
struct Ended {
    code: Option<i32>,
    signal: Option<i32>,
    stderr: String,
}

/// Runs a case whose process Go ends.
fn ended(name: &str, body: impl FnOnce()) -> Option<Ended> {
    use std::os::unix::process::ExitStatusExt;
    let out = in_child(name, &[], body)?;
    assert!(!out.status.success(), "case {name} survived");
    Some(Ended {
        code: out.status.code(),
        signal: out.status.signal(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Go aborts a process that loads it as a library on a fatal error.
const SIGABRT: i32 = 6;

#[test]
fn goexit_in_a_sync_handler_kills_the_process() {
    if let Some(e) = ended("goexit_in_a_sync_handler_kills_the_process", || {
        HostileImpl::goexit_sync();
    }) {
        assert_eq!(e.signal, Some(SIGABRT), "{}", e.stderr);
        assert!(
            e.stderr.contains(
                "fatal error: runtime.Goexit called in a thread that was not created by the Go runtime"
            ),
            "{}",
            e.stderr
        );
    }
}

#[test]
fn os_exit_in_a_handler_ends_the_process() {
    if let Some(e) = ended("os_exit_in_a_handler_ends_the_process", || {
        HostileImpl::exit(3);
    }) {
        assert_eq!(e.code, Some(3), "{}", e.stderr);
    }
}

#[test]
fn a_panic_in_a_goroutine_the_handler_started_kills_the_process() {
    if let Some(e) = ended(
        "a_panic_in_a_goroutine_the_handler_started_kills_the_process",
        || {
            HostileImpl::panic_in_goroutine();
            // The goroutine panics when it is scheduled, which on a loaded
            // machine can be after this call returned: wait for it.
            std::thread::sleep(Duration::from_secs(60));
        },
    ) {
        assert_eq!(e.signal, Some(SIGABRT), "{}", e.stderr);
        assert!(
            e.stderr
                .contains("panic: a goroutine the handler started panicked"),
            "{}",
            e.stderr
        );
    }
}
