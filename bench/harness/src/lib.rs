//! The measurement harness shared by every peer of the benchmark suite.
//!
//! Each peer binary builds a [`Suite`], runs the same workloads through its
//! own bridge and prints one result line per figure:
//!
//! ```text
//! result<TAB>peer<TAB>workload<TAB>value<TAB>unit
//! ```
//!
//! `bench/run.sh` collects those lines from every peer and prints the table.
//! Beside each time or rate, a `<workload>_cpu` line gives the process CPU
//! time (user + sys, of this process and of the processes the peer owns)
//! per call, so that spinning is paid for in the open.
//! Sync workloads go through criterion (the median of its samples); async
//! workloads use the small harnesses below (percentiles, in-flight sweeps,
//! resident memory), which criterion does not offer.
//!
//! Flags (after `--` under `cargo bench`): `--smoke` runs a few iterations of
//! everything so the binaries never rot; `--only PREFIX` runs the workloads
//! whose name starts with PREFIX.

use std::cell::RefCell;
use std::future::Future;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::runtime::Runtime;

/// The payload sizes of the `Vec<u8>` workloads.
pub const BYTES_SMALL: usize = 1024;
/// The payload sizes of the `Vec<u8>` workloads.
pub const BYTES_LARGE: usize = 64 * 1024;
/// How many `{String, u8}` items the struct workload sends and receives.
pub const ITEMS: usize = 100;
/// How many items the stream workloads deliver (1,000 in a smoke run).
pub const STREAM_ITEMS: u64 = 1_000_000;
/// The in-flight counts of the async throughput sweep.
pub const IN_FLIGHT: [u64; 5] = [16, 64, 256, 1024, 4096];

/// The items of the struct workload, as (name, tag) pairs every peer turns
/// into its own types.
pub fn items() -> Vec<(String, u8)> {
    (0..ITEMS)
        .map(|i| (format!("item-{i:04}-of-the-bench"), i as u8))
        .collect()
}

/// One run of a peer binary: its options, criterion and a tokio runtime.
pub struct Suite {
    smoke: bool,
    only: Option<String>,
    criterion: Criterion,
    rt: Runtime,
    max_calls: u64,
    max_blocked: u64,
    hang: Duration,
    workload_limit: Duration,
    pids: Vec<u32>,
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

impl Suite {
    /// Reads the flags and builds a multi-thread runtime with one worker
    /// per core.
    pub fn new() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let smoke = args.iter().any(|a| a == "--smoke");
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1).cloned());
        // Criterion keeps its samples between runs; keep them out of the tree.
        let base = Criterion::default()
            .without_plots()
            .output_directory(&std::env::temp_dir().join("r2go-bench-criterion"));
        let criterion = if smoke {
            base.sample_size(10)
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_millis(10))
        } else {
            base.sample_size(40)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2))
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        start_watchdog();
        Suite {
            smoke,
            only,
            criterion,
            rt,
            max_calls: u64::MAX,
            max_blocked: u64::MAX,
            hang: HANG,
            workload_limit: WORKLOAD_LIMIT,
            pids: Vec::new(),
        }
    }

    /// Caps the count of the blocked workload (for a bridge that fails
    /// beyond it).
    pub fn limit_blocked(&mut self, max: u64) {
        self.max_blocked = max;
    }

    /// Caps the calls each async workload makes (for a bridge that cannot
    /// sustain more in one process); the cap is reported with the results.
    pub fn limit_calls(&mut self, max: u64) {
        self.max_calls = max;
    }

    /// Sets how long a workload's calls may take to return (default 60 s)
    /// and how long one workload may take in all (default 5 min) before the
    /// process reports it hung and ends itself with [`HUNG_EXIT`].
    pub fn limit_time(&mut self, hang: Duration, workload: Duration) {
        self.hang = hang;
        self.workload_limit = workload;
    }

    /// Counts the CPU time of process `pid` (a server the peer calls) in
    /// every workload's CPU per call.
    pub fn count_cpu_of(&mut self, pid: u32) {
        self.pids.push(pid);
    }

    /// The physical limits of this machine, as rows of the table (peer
    /// `limit`): a round trip between two threads that spin on one atomic
    /// each, and `noop`, a sync call of `call` (an `//export` that does
    /// nothing) through cgo. No bridge can beat either.
    pub fn limits(&mut self, noop: impl FnMut(u64)) {
        if self.wants("limit_spin_pingpong") {
            let _watch = Watch::new("limit", "limit_spin_pingpong", self.workload_limit);
            let rounds: u64 = if self.smoke { 1_000 } else { 2_000_000 };
            let ping = Arc::new(AtomicU64::new(0));
            let pong = Arc::new(AtomicU64::new(0));
            let (ping2, pong2) = (ping.clone(), pong.clone());
            let peer = std::thread::spawn(move || {
                for i in 1..=rounds {
                    while ping2.load(Ordering::Acquire) != i {
                        std::hint::spin_loop();
                    }
                    pong2.store(i, Ordering::Release);
                }
            });
            let cpu = cpu_ns(&[]);
            let start = Instant::now();
            for i in 1..=rounds {
                ping.store(i, Ordering::Release);
                while pong.load(Ordering::Acquire) != i {
                    std::hint::spin_loop();
                }
            }
            let wall = start.elapsed().as_nanos() as f64 / rounds as f64;
            let cpu = cpu_ns(&[]).saturating_sub(cpu) as f64 / rounds as f64;
            peer.join().expect("ping-pong thread");
            report("limit", "limit_spin_pingpong", wall, "ns");
            report_cpu("limit", "limit_spin_pingpong", cpu, wall);
        }
        self.sync("limit", "limit_export_noop", noop);
    }

    /// Measures calls the other side makes back to back: `run(n)` makes `n`
    /// calls (from Go, into Rust) and returns when all are done. Reports the
    /// wall time and the CPU time per call, after a warm-up of `n / 10`.
    pub fn batch(&self, peer: &str, workload: &str, mut run: impl FnMut(u64)) {
        if !self.wants(workload) {
            return;
        }
        let _watch = Watch::new(peer, workload, self.workload_limit);
        let n: u64 = if self.smoke { 1_000 } else { 1_000_000 };
        run(n / 10);
        let cpu = cpu_ns(&[]);
        let start = Instant::now();
        run(n);
        let wall = start.elapsed().as_nanos() as f64 / n as f64;
        let cpu = cpu_ns(&[]).saturating_sub(cpu) as f64 / n as f64;
        report(peer, workload, wall, "ns");
        report_cpu(peer, workload, cpu, wall);
    }

    /// Whether this is a smoke run (tiny iteration counts).
    pub fn smoke(&self) -> bool {
        self.smoke
    }

    /// The runtime the async workloads run on.
    pub fn rt(&self) -> &Runtime {
        &self.rt
    }

    /// Whether the workload was selected with `--only`.
    pub fn wants(&self, workload: &str) -> bool {
        self.only.as_deref().is_none_or(|p| workload.starts_with(p))
    }

    /// Measures a sync call with criterion and reports the median time per
    /// call. `call` gets the iteration number, so it cannot be hoisted.
    pub fn sync(&mut self, peer: &str, workload: &str, mut call: impl FnMut(u64)) {
        if !self.wants(workload) {
            return;
        }
        let _watch = Watch::new(peer, workload, self.workload_limit);
        // Criterion calls the routine for its warm-up first, then exactly
        // sample_size times; the last samples are the measured ones.
        // Per sample: wall time per call, CPU time per call.
        let samples: Rc<RefCell<Vec<(f64, f64)>>> = Rc::default();
        let seen = samples.clone();
        let pids = self.pids.clone();
        self.criterion
            .bench_function(&format!("{peer}/{workload}"), move |b| {
                b.iter_custom(|iters| {
                    let cpu = cpu_ns(&pids);
                    let start = Instant::now();
                    for i in 0..iters {
                        call(std::hint::black_box(i));
                    }
                    let took = start.elapsed();
                    let cpu = cpu_ns(&pids).saturating_sub(cpu);
                    let n = iters.max(1) as f64;
                    seen.borrow_mut()
                        .push((took.as_nanos() as f64 / n, cpu as f64 / n));
                    took
                })
            });
        let samples = samples.borrow();
        let n = if self.smoke { 10 } else { 40 };
        let measured = &samples[samples.len().saturating_sub(n)..];
        let mut wall: Vec<f64> = measured.iter().map(|s| s.0).collect();
        wall.sort_by(f64::total_cmp);
        report(peer, workload, wall[wall.len() / 2], "ns");
        // CPU over all measured samples: one sample is too short for the
        // kernel's accounting of other threads (Go's).
        let calls_wall: f64 = measured.iter().map(|s| s.0).sum();
        let cpu: f64 = measured.iter().map(|s| s.1).sum();
        report_cpu(
            peer,
            workload,
            cpu / measured.len() as f64,
            calls_wall / measured.len() as f64,
        );
    }

    /// Round-trip latency of async calls made one at a time from a task on
    /// the runtime; reports p50 and p99.
    pub fn async_latency<F, Fut>(&self, peer: &str, call: F)
    where
        F: Fn(u64) -> Fut + Send + 'static,
        Fut: Future<Output = u64> + Send + 'static,
    {
        if !self.wants("async_rtt") {
            return;
        }
        let _watch = Watch::new(peer, "async_rtt", self.workload_limit);
        let rounds: u64 = if self.smoke { 50 } else { 50_000 }.min(self.max_calls);
        let hang = self.hang;
        let pids = self.pids.clone();
        let lat = self.rt.block_on(async move {
            let run = tokio::spawn(async move {
                for i in 0..rounds.min(2_000) {
                    check(i, call(i).await);
                }
                let mut lat = Vec::with_capacity(rounds as usize);
                let cpu = cpu_ns(&pids);
                for i in 0..rounds {
                    let start = Instant::now();
                    let got = call(i).await;
                    lat.push(start.elapsed());
                    check(i, got);
                }
                let cpu = cpu_ns(&pids).saturating_sub(cpu);
                (lat, cpu)
            });
            tokio::time::timeout(hang, run).await
        });
        let Ok(lat) = lat else {
            hung(peer, "async_rtt");
        };
        let (mut lat, cpu) = lat.expect("latency task");
        let wall: f64 = lat.iter().map(|d| d.as_nanos() as f64).sum::<f64>() / rounds as f64;
        lat.sort_unstable();
        let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize].as_nanos() as f64;
        report(peer, "async_rtt_p50", pct(0.50), "ns");
        report(peer, "async_rtt_p99", pct(0.99), "ns");
        // The distribution, for the chart.
        for (name, p) in [
            ("p10", 0.10),
            ("p25", 0.25),
            ("p75", 0.75),
            ("p90", 0.90),
            ("p999", 0.999),
        ] {
            report(peer, &format!("async_rtt_{name}"), pct(p), "ns");
        }
        report_cpu(peer, "async_rtt", cpu as f64 / rounds as f64, wall);
    }

    /// Throughput of async calls with 16, 256 and 4096 in flight: that many
    /// tasks each make calls back to back until the total is done.
    pub fn async_throughput<F, Fut>(&self, peer: &str, call: F)
    where
        F: Fn(u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = u64> + Send + 'static,
    {
        let call = Arc::new(call);
        for in_flight in IN_FLIGHT {
            let workload = format!("async_tput_{in_flight}");
            if !self.wants(&workload) {
                continue;
            }
            let _watch = Watch::new(peer, &workload, self.workload_limit);
            let total: u64 = if self.smoke {
                in_flight * 2
            } else {
                (in_flight * 100).max(400_000)
            }
            .min(self.max_calls)
            .max(in_flight);
            let hang = self.hang;
            // A short warm-up, then the measured run.
            for (total, measured) in [(total / 10, false), (total, true)] {
                let call = call.clone();
                let pids = self.pids.clone();
                let secs = self.rt.block_on(async move {
                    let next = Arc::new(AtomicU64::new(0));
                    let cpu = cpu_ns(&pids);
                    let start = Instant::now();
                    let mut tasks = Vec::with_capacity(in_flight as usize);
                    for _ in 0..in_flight {
                        let (call, next) = (call.clone(), next.clone());
                        tasks.push(tokio::spawn(async move {
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= total {
                                    break;
                                }
                                check(i, call(i).await);
                            }
                        }));
                    }
                    let all = async {
                        for t in tasks {
                            t.await.expect("throughput task");
                        }
                    };
                    tokio::time::timeout(hang, all).await.ok()?;
                    Some((
                        start.elapsed().as_secs_f64(),
                        cpu_ns(&pids).saturating_sub(cpu),
                    ))
                });
                let Some((secs, cpu)) = secs else {
                    hung(peer, &workload);
                };
                if measured {
                    report(peer, &workload, total as f64 / secs, "calls/s");
                    report_cpu(
                        peer,
                        &workload,
                        cpu as f64 / total as f64,
                        secs * 1e9 / total as f64,
                    );
                }
            }
        }
    }

    /// The `stream_items` workload: [`STREAM_ITEMS`] small items (0, 1, 2,
    /// ...) delivered in order to one consumer task, each checked, from one
    /// stream: `open(n)` starts it, `value` reads an item's number. Reports
    /// items/s and CPU per item.
    pub fn stream_items<F, Fut, S>(&self, peer: &str, open: F, value: fn(S::Item) -> u64)
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = S> + Send + 'static,
        S: Stream + Unpin + Send + 'static,
    {
        self.items_run(peer, "stream_items", |n| {
            let open = open(n);
            async move {
                let mut items = open.await;
                let mut next = 0;
                while let Some(item) = items.next().await {
                    check(next, value(item));
                    next += 1;
                }
                check(n, next);
            }
        });
    }

    /// The `stream_upload` workload: [`STREAM_ITEMS`] small items (0, 1, 2,
    /// ...) from a Rust stream to one Go handler, which checks their order
    /// and returns their sum: `upload(n, items)` makes the call. Reports
    /// items/s and CPU per item; `stream_items_calls` is the same items as
    /// one call each.
    pub fn stream_upload<F, Fut>(&self, peer: &str, upload: F)
    where
        F: Fn(futures_util::stream::Iter<std::ops::Range<u64>>) -> Fut,
        Fut: Future<Output = u64> + Send + 'static,
    {
        self.items_run(peer, "stream_upload", |n| {
            let sum = upload(futures_util::stream::iter(0..n));
            async move { check(n * n.saturating_sub(1) / 2, sum.await) }
        });
    }

    /// The `stream_items_calls` workload: the items of `stream_items`, but
    /// one async call per item, each awaited before the next.
    pub fn stream_items_calls<F, Fut>(&self, peer: &str, call: F)
    where
        F: Fn(u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = u64> + Send + 'static,
    {
        let call = Arc::new(call);
        self.items_run(peer, "stream_items_calls", |n| {
            let call = call.clone();
            async move {
                for i in 0..n {
                    check(i, call(i).await);
                }
            }
        });
    }

    /// Runs `run(n)` as a task, after a warm-up of a tenth as many items,
    /// and reports n items' rate and CPU per item as `workload`.
    fn items_run<Fut>(&self, peer: &str, workload: &str, run: impl Fn(u64) -> Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        if !self.wants(workload) {
            return;
        }
        let _watch = Watch::new(peer, workload, self.workload_limit);
        let total = if self.smoke { 1_000 } else { STREAM_ITEMS };
        for (n, measured) in [(total / 10, false), (total, true)] {
            let pids = self.pids.clone();
            let task = run(n);
            let hang = self.hang;
            let done = self.rt.block_on(async move {
                let cpu = cpu_ns(&pids);
                let start = Instant::now();
                let task = tokio::spawn(task);
                tokio::time::timeout(hang, task)
                    .await
                    .ok()?
                    .expect("items task");
                Some((
                    start.elapsed().as_secs_f64(),
                    cpu_ns(&pids).saturating_sub(cpu),
                ))
            });
            let Some((secs, cpu)) = done else {
                hung(peer, workload);
            };
            if measured {
                report(peer, workload, n as f64 / secs, "items/s");
                report_cpu(peer, workload, cpu as f64 / n as f64, secs * 1e9 / n as f64);
            }
        }
    }

    /// Resident memory with many async calls blocked in Go at once, at a few
    /// counts to show how it grows. `start(i)` starts call i (which blocks
    /// in Go until `release`), `held()` says how many handlers are blocked.
    /// `pids` are other processes whose memory counts too (a server).
    pub fn blocked<F, Fut>(
        &self,
        peer: &str,
        pids: &[u32],
        start: F,
        held: impl Fn() -> u64,
        release: impl Fn(),
    ) where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = u64> + Send + 'static,
    {
        let counts: &[u64] = if self.smoke {
            &[100]
        } else {
            &[1_000, 10_000, 100_000]
        };
        let max = self.max_calls.min(self.max_blocked);
        for &n in counts.iter().filter(|&&n| n <= max) {
            let workload = format!("blocked_{n}");
            if !self.wants(&workload) {
                continue;
            }
            let _watch = Watch::new(peer, &workload, self.workload_limit);
            let before = rss(pids);
            // Some bridges need a runtime on the thread that makes the call.
            let calls: FuturesUnordered<Fut> = {
                let _rt = self.rt.enter();
                (0..n).map(&start).collect()
            };
            let driver = self.rt.spawn(async move {
                let mut calls = calls;
                let mut done = 0u64;
                while calls.next().await.is_some() {
                    done += 1;
                }
                done
            });
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut now_held = held();
            while now_held < n && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
                now_held = held();
            }
            // Let the bridge settle after the last call arrived.
            std::thread::sleep(Duration::from_millis(50));
            let during = rss(pids);
            release();
            let Ok(done) = self
                .rt
                .block_on(async { tokio::time::timeout(self.hang, driver).await })
            else {
                hung(peer, &workload);
            };
            let done = done.expect("blocked driver");
            if now_held < n || done != n {
                eprintln!(
                    "{peer}: only {now_held} of {n} calls were blocked at once; {done} returned"
                );
            }
            report(peer, &format!("{workload}_held"), now_held as f64, "calls");
            report(peer, &format!("{workload}_rss"), during as f64, "bytes");
            report(
                peer,
                &format!("{workload}_growth"),
                during.saturating_sub(before) as f64,
                "bytes",
            );
        }
    }
}

/// The peer whose blocked workload this process runs alone, when it was
/// started by [`blocked_in_child`].
pub fn blocked_child() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--blocked-child")
        .and_then(|i| args.get(i + 1).cloned())
}

/// Runs `peer`'s blocked workload in a fresh process of this binary (same
/// flags), so that memory left resident by earlier workloads, or by another
/// peer in the same process, does not count.
pub fn blocked_in_child(peer: &str) {
    let status = std::process::Command::new(std::env::current_exe().expect("this binary's path"))
        .args(std::env::args_os().skip(1))
        .args(["--blocked-child", peer])
        .status()
        .expect("start the blocked workload's process");
    // A hung child reported its workload before it ended itself.
    assert!(
        status.success() || status.code() == Some(HUNG_EXIT),
        "{peer}: the blocked workload failed: {status}"
    );
}

/// How long a workload's calls may take to return before the bridge is
/// declared hung.
const HANG: Duration = Duration::from_secs(60);

/// How long one workload may take in all (criterion's sampling, waiting for
/// blocked calls, ...) before the watchdog declares it hung.
const WORKLOAD_LIMIT: Duration = Duration::from_secs(5 * 60);

/// The exit code of a peer process that ended itself because a workload
/// hung; bench/run.sh reports it and goes on with the next peer.
pub const HUNG_EXIT: i32 = 3;

/// The workload running now and its deadline, for the watchdog.
static CURRENT: Mutex<Option<(String, String, Instant)>> = Mutex::new(None);

/// Processes this one started (a server) that must not outlive it.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Makes `pid` end with this process when a workload hangs: the process
/// then exits at once, without running destructors.
pub fn own_child(pid: u32) {
    CHILDREN.lock().expect("children").push(pid);
}

/// Marks a workload as running until dropped.
struct Watch;

impl Watch {
    fn new(peer: &str, workload: &str, limit: Duration) -> Watch {
        *CURRENT.lock().expect("watchdog state") = Some((
            peer.to_string(),
            workload.to_string(),
            Instant::now() + limit,
        ));
        Watch
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        *CURRENT.lock().expect("watchdog state") = None;
    }
}

/// Ends the process as hung when a workload passes its deadline, whatever
/// the workload is blocked in (a sync call, a runtime that cannot shut down).
fn start_watchdog() {
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_secs(1));
        let late = CURRENT
            .lock()
            .expect("watchdog state")
            .as_ref()
            .filter(|(_, _, deadline)| Instant::now() > *deadline)
            .map(|(peer, workload, _)| (peer.clone(), workload.clone()));
        if let Some((peer, workload)) = late {
            hung(&peer, &workload);
        }
    });
}

/// Reports a workload that never finished (its calls never all returned)
/// and ends the process, and the processes it owns: a bridge with calls
/// stuck in it may never let the process exit otherwise. The peer's later
/// workloads are skipped; bench/run.sh goes on with the next peer.
fn hung(peer: &str, workload: &str) -> ! {
    eprintln!(
        "{peer}: {workload} did not finish in time: calls never returned; ending the process"
    );
    report(peer, &format!("{workload}_hung"), 1.0, "flag");
    let _ = std::io::stdout().flush();
    for pid in CHILDREN.lock().map(|c| c.clone()).unwrap_or_default() {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    std::process::exit(HUNG_EXIT);
}

/// Every echo workload returns its argument; a wrong value means a broken
/// bridge, and a benchmark of a broken bridge means nothing.
pub fn check(want: u64, got: u64) {
    assert_eq!(got, want, "the call returned the wrong value");
}

/// Prints one result line.
pub fn report(peer: &str, workload: &str, value: f64, unit: &str) {
    println!("result\t{peer}\t{workload}\t{value:.1}\t{unit}");
}

/// Reports the CPU time per call of a workload whose wall time per call was
/// `wall_ns`: as `<workload>_cpu` in ns, beside the figure itself.
fn report_cpu(peer: &str, workload: &str, cpu_ns: f64, wall_ns: f64) {
    report(peer, &format!("{workload}_cpu"), cpu_ns, "ns");
    // How many cores the workload kept busy on average.
    if wall_ns > 0.0 {
        report(
            peer,
            &format!("{workload}_cores"),
            cpu_ns / wall_ns,
            "cores",
        );
    }
}

/// CPU time (user + sys) used so far by this process and by `others`, in ns.
pub fn cpu_ns(others: &[u32]) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which lives on this stack.
    let own = if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0 {
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    } else {
        0
    };
    own + others.iter().map(|pid| cpu_of(*pid)).sum::<u64>()
}

/// CPU time of another process from /proc/PID/stat (clock ticks, 100 a
/// second on Linux), in ns.
fn cpu_of(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which ends with the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ')'.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    ticks * 10_000_000
}

/// Resident memory of this process plus `others`, in bytes.
pub fn rss(others: &[u32]) -> u64 {
    let own = rss_of("/proc/self/status");
    others
        .iter()
        .map(|p| rss_of(&format!("/proc/{p}/status")))
        .sum::<u64>()
        + own
}

fn rss_of(path: &str) -> u64 {
    let status = std::fs::read_to_string(path).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
