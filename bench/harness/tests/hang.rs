//! A workload that never finishes ends its process with HUNG_EXIT after
//! reporting itself hung, whether its calls are async (a timeout) or a sync
//! call blocks forever (the watchdog); bench/run.sh then goes on. Each case
//! runs in a child process of this test binary.

use std::process::Command;
use std::time::{Duration, Instant};

use harness::{Suite, HUNG_EXIT};

const CHILD: &str = "HARNESS_HANG_CASE";

fn child(case: &str) {
    let mut s = Suite::new();
    s.limit_time(Duration::from_millis(500), Duration::from_secs(2));
    match case {
        "sync" => s.sync("stuck", "sync_add", |_| loop {
            std::thread::park();
        }),
        "async" => s.async_latency("stuck", |_| std::future::pending::<u64>()),
        _ => unreachable!("unknown case {case}"),
    }
    eprintln!("the {case} workload returned");
    std::process::exit(0);
}

fn run(case: &str) -> (Option<i32>, String) {
    let start = Instant::now();
    let out = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "--nocapture", "hung_workloads_end_their_process"])
        .env(CHILD, case)
        .output()
        .expect("start the child");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "the {case} case took {:?}",
        start.elapsed()
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn hung_workloads_end_their_process() {
    if let Ok(case) = std::env::var(CHILD) {
        child(&case);
    }
    for (case, line) in [
        ("sync", "result\tstuck\tsync_add_hung\t1.0\tflag"),
        ("async", "result\tstuck\tasync_rtt_hung\t1.0\tflag"),
    ] {
        let (code, stdout) = run(case);
        assert_eq!(code, Some(HUNG_EXIT), "{case}: stdout {stdout}");
        assert!(
            stdout.lines().any(|l| l == line),
            "{case}: no {line:?} in {stdout}"
        );
    }
}
