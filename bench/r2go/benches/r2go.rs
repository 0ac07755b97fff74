//! The floor and r2go, in one binary and one Go runtime.
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench r2go [-- --smoke]`

use bench_r2go::floor;
use bench_r2go::host::BenchHost;
use bench_r2go::user::{Bench, BenchImpl, HostImpl, Item, Items};
use harness::{check, Suite, BYTES_LARGE, BYTES_SMALL};

fn main() {
    let mut s = Suite::new();
    match harness::blocked_child().as_deref() {
        Some("floor") => {
            return s.blocked(
                "floor",
                &[],
                floor::hold,
                BenchImpl::held,
                BenchImpl::release,
            )
        }
        Some(_) => {
            return s.blocked(
                "r2go",
                &[],
                BenchImpl::hold,
                BenchImpl::held,
                BenchImpl::release,
            )
        }
        None => {}
    }
    let small = vec![7u8; BYTES_SMALL];
    let large = vec![7u8; BYTES_LARGE];
    let req = Items {
        items: harness::items()
            .into_iter()
            .map(|(name, tag)| Item { name, tag })
            .collect(),
    };
    assert_eq!(floor::items(&req, &mut Vec::new()), req);
    assert_eq!(BenchImpl::items(&req), req);

    s.limits(|_| floor::noop());

    s.sync("floor", "sync_add", |i| {
        check(i + 1, floor::add(i as i64, 1) as u64)
    });
    s.sync("r2go", "sync_add", |i| {
        check(i + 1, BenchImpl::add(i as i64, 1) as u64)
    });
    s.sync("floor", "sync_bytes_1k", |_| {
        check(BYTES_SMALL as u64, floor::bytes(&small))
    });
    s.sync("r2go", "sync_bytes_1k", |_| {
        check(BYTES_SMALL as u64, BenchImpl::bytes(&small))
    });
    s.sync("floor", "sync_bytes_64k", |_| {
        check(BYTES_LARGE as u64, floor::bytes(&large))
    });
    s.sync("r2go", "sync_bytes_64k", |_| {
        check(BYTES_LARGE as u64, BenchImpl::bytes(&large))
    });
    s.sync("r2go", "sync_bytes_1k_view", |_| {
        check(BYTES_SMALL as u64, BenchImpl::bytes_view(&small))
    });
    s.sync("r2go", "sync_bytes_64k_view", |_| {
        check(BYTES_LARGE as u64, BenchImpl::bytes_view(&large))
    });
    let mut out = Vec::with_capacity(8 << 10);
    s.sync("floor", "sync_items_100", |_| {
        std::hint::black_box(floor::items(&req, &mut out));
    });
    s.sync("r2go", "sync_items_100", |_| {
        std::hint::black_box(BenchImpl::items(&req));
    });

    s.async_latency("floor", floor::echo);
    s.async_latency("r2go", BenchImpl::echo);
    s.async_throughput("floor", floor::echo);
    s.async_throughput("r2go", BenchImpl::echo);
    s.stream_items("r2go", |n| async move { BenchImpl::count(n) }, |x| x);

    // Go calls Rust: Go loops over n calls; sums prove every call was made.
    HostImpl::register_on::<BenchHost>(s.rt().handle().clone()).expect("registered");
    let sum_add = |n: u64| (n * (n + 1) / 2) as i64;
    s.batch("floor", "g2r_sync_add", |n| {
        assert_eq!(floor::g2r_add_loop(n), sum_add(n))
    });
    s.batch("r2go", "g2r_sync_add", |n| {
        assert_eq!(BenchImpl::g2r_add_loop(n), sum_add(n))
    });
    for (workload, tasks, yielding) in [
        ("g2r_async_rtt", 1u32, false),
        ("g2r_async_tput_256", 256, false),
        ("g2r_async_task_rtt", 1, true),
        ("g2r_async_task_tput_256", 256, true),
    ] {
        s.batch("r2go", workload, |n| {
            let sum = s
                .rt()
                .block_on(BenchImpl::g2r_echo_loop(n, tasks, yielding));
            assert_eq!(sum, n * (n - 1) / 2);
        });
    }
    s.stream_items_calls("r2go", BenchImpl::echo);
    s.stream_upload("r2go", BenchImpl::sum);
    if s.wants("blocked") {
        harness::blocked_in_child("floor");
        harness::blocked_in_child("r2go");
    }
}
