//! Rust2Go 0.4 in its cgo mode (`rust2go-cgo`) and its shared-memory mode
//! (`rust2go-shm`, async workloads only: Rust2Go has no sync shm calls).
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench rust2go [-- --smoke]`

use bench_rust2go::user::{CgoBench, CgoBenchImpl, Item, Items, ShmBench, ShmBenchImpl};
use std::future::Future;

use harness::{check, Suite, BYTES_LARGE, BYTES_SMALL};

fn main() {
    relaunch_without_cgo_checks();
    if std::env::args().any(|a| a == SHM_CHILD) {
        let mut s = Suite::new();
        // See run_shm_child: every wait of Go's ring reader leaks an fd.
        s.limit_calls(SHM_MAX_CALLS);
        harness::report("rust2go-shm", "call_cap", SHM_MAX_CALLS as f64, "calls");
        shm(&s);
        // The shared-memory mode has no clean shutdown: dropping the runtime
        // frees its threads' rings while Go still reads them (heap
        // corruption). Leave without dropping anything.
        std::io::Write::flush(&mut std::io::stdout()).expect("flush");
        std::process::exit(0);
    }
    if harness::blocked_child().is_some() {
        let s = Suite::new();
        return s.blocked(
            "rust2go-cgo",
            &[],
            CgoBenchImpl::hold,
            CgoBenchImpl::held,
            CgoBenchImpl::release,
        );
    }
    cgo(Suite::new());
    // The shared-memory mode runs in a child process: see run_shm_child.
    run_shm_child();
}

fn cgo(mut s: Suite) {
    let small = vec![7u8; BYTES_SMALL];
    let large = vec![7u8; BYTES_LARGE];
    let req = Items {
        items: harness::items()
            .into_iter()
            .map(|(name, tag)| Item { name, tag })
            .collect(),
    };
    assert_eq!(CgoBenchImpl::items(&req), req);

    let peer = "rust2go-cgo";
    s.sync(peer, "sync_add", |i| {
        check(i + 1, CgoBenchImpl::add(i as i64, 1) as u64)
    });
    s.batch(peer, "g2r_sync_add", |n| {
        assert_eq!(CgoBenchImpl::g2r_add_loop(n), (n * (n + 1) / 2) as i64)
    });
    s.sync(peer, "sync_bytes_1k", |_| {
        check(BYTES_SMALL as u64, CgoBenchImpl::bytes(&small))
    });
    s.sync(peer, "sync_bytes_64k", |_| {
        check(BYTES_LARGE as u64, CgoBenchImpl::bytes(&large))
    });
    s.sync(peer, "sync_items_100", |_| {
        std::hint::black_box(CgoBenchImpl::items(&req));
    });
    s.async_latency(peer, CgoBenchImpl::echo);
    s.async_throughput(peer, CgoBenchImpl::echo);
    if s.wants("blocked") {
        harness::blocked_in_child(peer);
    }
}

fn shm(s: &Suite) {
    let peer = "rust2go-shm";
    s.async_latency(peer, shm_echo);
    s.async_throughput(peer, shm_echo);
    if s.wants("blocked") {
        s.blocked(
            peer,
            &[],
            shm_hold,
            CgoBenchImpl::held,
            CgoBenchImpl::release,
        );
    }
}

const SHM_CHILD: &str = "--shm-child";

/// The most calls per workload the shared-memory mode makes; the blocked
/// workload stops at 1,000 calls.
const SHM_MAX_CALLS: u64 = 2_000;

/// Rust2Go's mem-ring Go code wraps the ring's eventfd in an *os.File it
/// then drops, so the first garbage collection after a ring went idle closes
/// the fd and the next wait panics ("fcntl: bad file descriptor"). The
/// shared-memory mode therefore runs in its own process with the Go
/// collector off (GOGC=off); its memory figures include garbage. Each such
/// wait also leaks a duplicate of the fd (nothing closes it without the
/// collector): at most one per call, so the child raises its limit of open
/// files as far as it may and makes at most SHM_MAX_CALLS calls per workload.
fn run_shm_child() {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@""#)
        .arg(std::env::current_exe().expect("this binary's path"))
        .args(std::env::args_os().skip(1))
        .arg(SHM_CHILD)
        .env("GOGC", "off")
        .status()
        .expect("run the shared-memory child");
    // A hung workload was reported by the child before it ended itself.
    assert!(
        status.success() || status.code() == Some(harness::HUNG_EXIT),
        "the shared-memory child failed: {status}"
    );
}

fn shm_echo(x: u64) -> impl Future<Output = u64> + Send {
    let call = ShmBenchImpl::echo(x);
    async move { call.await.v }
}

fn shm_hold(x: u64) -> impl Future<Output = u64> + Send {
    let call = ShmBenchImpl::hold(x);
    async move { call.await.v }
}

/// Rust2Go hands Rust a result that points into Go memory. Its default
/// callback path (hand-written assembly, not available here) bypasses cgo's
/// pointer checks; through a cgo callback the checks abort the process, so
/// this peer runs with them off, as a Rust2Go user would have to. The Go
/// runtime reads GODEBUG when the process starts, hence the relaunch.
fn relaunch_without_cgo_checks() {
    use std::os::unix::process::CommandExt;
    if std::env::var("GODEBUG").is_ok_and(|v| v.contains("cgocheck=0")) {
        return;
    }
    let err = std::process::Command::new("/proc/self/exe")
        .args(std::env::args_os().skip(1))
        .env("GODEBUG", "cgocheck=0")
        .exec();
    panic!("cannot relaunch with GODEBUG=cgocheck=0: {err}");
}
