//! A quick measurement of r2go call costs on this machine (not the suite
//! that compares against peers).
//!
//! `cargo bench --manifest-path rust/Cargo.toml --bench calls`
//! (`-- --smoke` runs a few iterations only, to keep the bench from rotting).

use std::time::{Duration, Instant};

use r2go_demo::user::{DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoUser};

fn per_call(iters: u64, mut f: impl FnMut(u64)) -> Duration {
    for i in 0..iters.min(1_000) {
        f(i);
    }
    let start = Instant::now();
    for i in 0..iters {
        f(i);
    }
    start.elapsed() / iters as u32
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let n: u64 = if smoke { 100 } else { 1_000_000 };

    let t = per_call(n, |i| {
        std::hint::black_box(DemoCallImpl::add(i as i64, 1));
    });
    println!("sync add(i64, i64) -> i64:             {t:?}/call");

    let req = DemoComplicatedRequest {
        users: vec![DemoUser {
            name: "bench".into(),
            age: 30,
        }],
        balabala: vec![7; 1024],
    };
    let t = per_call(n, |_| {
        std::hint::black_box(DemoCallImpl::demo_check(&req));
    });
    println!("sync demo_check(1 user, 1 KiB) -> struct: {t:?}/call");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let rounds = if smoke { 100 } else { 20_000 };
        let mut lat = Vec::with_capacity(rounds);
        for i in 0..rounds {
            let start = Instant::now();
            std::hint::black_box(DemoCallImpl::sleep_echo(0, i as u64).await);
            lat.push(start.elapsed());
        }
        lat.sort();
        println!(
            "async round trip, 1 in flight:          p50 {:?}, p99 {:?}",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );

        let total: u64 = if smoke { 1_000 } else { 200_000 };
        let in_flight = 256;
        let start = Instant::now();
        let mut workers = Vec::new();
        for w in 0..in_flight {
            workers.push(tokio::spawn(async move {
                let mut i = w;
                while i < total {
                    std::hint::black_box(DemoCallImpl::sleep_echo(0, i).await);
                    i += in_flight;
                }
            }));
        }
        for w in workers {
            w.await.expect("worker");
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "async throughput, {in_flight} in flight:       {:.0} calls/s",
            total as f64 / secs
        );
    });
}
