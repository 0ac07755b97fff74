//! Streams from Go to Rust: Go scans and tails a log file, Rust consumes the
//! lines with `.next().await` and cancels Go by dropping a stream.

use std::time::{Duration, Instant};

use log_tail::user::{Line, Log, LogImpl};
use tokio_stream::StreamExt;

/// Lines written for the throughput scan.
const LINES: u64 = 20_000;

/// Every wait of this program ends within this.
const LIMIT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join(format!("log-tail-{}.log", std::process::id()));
    LogImpl::open(path.to_str().expect("a UTF-8 path")).expect("open");
    for text in ["start", "error: disk full", "retry", "error: gave up"] {
        LogImpl::append(text).expect("append");
    }

    // snippet: rust-stream
    // A scan ends when Go returns: `next()` is then `None`.
    let mut errors = LogImpl::scan("^error".into());
    while let Some(line) = errors.next().await {
        println!("scan(\"^error\"): {line:?}");
    }
    // A Go error is the last item.
    println!("scan(\"(\"): {:?}", LogImpl::scan("(".into()).next().await);

    // A follow never ends by itself: Rust stops it by dropping the stream,
    // which cancels the Go handler's context.
    let mut follow = LogImpl::follow(3);
    for _ in 0..2 {
        let line = next(&mut follow).await;
        println!("follow(3): line {}: {}", line.number, line.text);
    }
    LogImpl::append("stopping").expect("append");
    let line = next(&mut follow).await;
    println!(
        "append(\"stopping\") -> follow(3): line {}: {}",
        line.number, line.text
    );
    drop(follow);
    // end snippet
    drop(errors);

    // The handler returns on its own goroutine once its context is cancelled.
    let start = Instant::now();
    while LogImpl::followers() != 0 {
        assert!(
            start.elapsed() < LIMIT,
            "the follow handler still runs after {LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!(
        "dropped the follow stream: followers = {}, its handler returned {:?}",
        LogImpl::followers(),
        LogImpl::last_follow_end()
    );

    // snippet: rust-upload
    // Many lines the other way: Go pulls them from a Rust stream, up to 256
    // at a time, while this call is awaited.
    LogImpl::open(path.to_str().expect("a UTF-8 path")).expect("open");
    let lines = tokio_stream::iter(1..=LINES).map(|i| Ok(format!("line {i}")));
    let written = LogImpl::append_all(lines).await.expect("append_all");
    println!("append_all: {written} lines written");
    // An Err item ends the stream for Go, whose handler returns it.
    let failing = tokio_stream::iter([Ok("one more".to_string()), Err("disk full".to_string())]);
    println!(
        "append_all with an Err item: {:?}",
        LogImpl::append_all(failing).await
    );
    // end snippet

    // Rust takes the lines in batches of up to 256, so a line costs far
    // less than a call.
    let start = Instant::now();
    let mut all = LogImpl::scan(String::new());
    let mut in_order = 0;
    while let Some(line) = all.next().await {
        let line = line.expect("a line");
        let want = match line.number {
            n if n <= LINES => format!("line {n}"),
            _ => "one more".to_string(),
        };
        if line.number == in_order + 1 && line.text == want {
            in_order += 1;
        }
    }
    // The line appended before the Err item is there too.
    let total = LINES + 1;
    let per_line = start.elapsed().as_nanos() / total as u128;
    drop(all);
    println!("scan of {total} lines: {in_order} lines in order, {per_line} ns per line");
    println!("streams left open: {}", r2go::live_streams());
    std::fs::remove_file(&path).expect("remove the log file");
}

/// The stream's next line, which must come within `LIMIT`.
async fn next<S>(s: &mut S) -> Line
where
    S: r2go::Stream<Item = Result<Line, String>> + Unpin,
{
    tokio::time::timeout(LIMIT, s.next())
        .await
        .unwrap_or_else(|_| panic!("no line within {LIMIT:?}"))
        .expect("the stream ended")
        .expect("a line")
}
