//! Rust using bbolt, a Go key-value store: async writes, sync reads, typed
//! errors, backpressure with `rt.MaxConcurrent(4)` and graceful shutdown.

use std::time::Duration;

use embedded_db::user::{DbError, DbErrorKind, Entry, Store, StoreImpl};

fn entry(key: impl Into<String>, value: &str) -> Entry {
    Entry {
        key: key.into(),
        value: value.as_bytes().to_vec(),
    }
}

fn text(v: Result<Vec<u8>, DbError>) -> Result<String, DbError> {
    v.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("r2go-embedded-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let path = dir.join("store.db");
    StoreImpl::open(path.to_str().expect("a UTF-8 path")).expect("open the database");

    // Writes are async: each is one bbolt transaction on a goroutine.
    let fruit = vec![
        entry("fruit/apple", "red"),
        entry("fruit/banana", "yellow"),
        entry("fruit/cherry", "dark red"),
    ];
    let keys = StoreImpl::put("fruit".into(), fruit).await;
    println!("put(fruit, 3 entries).await = {keys:?}");

    // snippet: errors
    // Reads are sync: a read-only transaction on this thread. Failures are
    // DbError values built by the Go handler, matched on by kind.
    let banana = StoreImpl::get("fruit", "fruit/banana");
    println!("get(fruit, fruit/banana) = {:?}", text(banana));
    match StoreImpl::get("fruit", "fruit/durian") {
        Err(DbError {
            kind: DbErrorKind::NotFound,
            message,
        }) => println!("get(fruit, fruit/durian) = not found: {message}"),
        other => println!("get(fruit, fruit/durian) = unexpected {other:?}"),
    }
    // end snippet
    println!(
        "get(vegetables, leek) = {:?}",
        StoreImpl::get("vegetables", "leek")
    );
    let scanned: Vec<String> = StoreImpl::scan("fruit", "fruit/b", 10)
        .expect("scan")
        .into_iter()
        .map(|e| e.key)
        .collect();
    println!("scan(fruit, fruit/b) = {scanned:?}");

    // snippet: backpressure
    // 100 writes at once: Go runs at most 4 put handlers at a time (see
    // handlers/main.go); the others wait in Go without blocking a thread.
    let writes: Vec<_> = (0..100)
        .map(|i| {
            let batch = (0..10)
                .map(|j| entry(format!("n/{i:03}/{j}"), "x"))
                .collect();
            tokio::spawn(StoreImpl::put("numbers".into(), batch))
        })
        .collect();
    let mut most = 0;
    for w in writes {
        most = most.max(w.await.expect("put task").expect("put"));
    }
    let peak = StoreImpl::peak_writers();
    println!("100 concurrent puts of 10 keys: the bucket holds {most} keys; at most 4 handlers ran at once: {}", peak <= 4);
    // end snippet

    // snippet: shutdown
    // Graceful shutdown: calls already made run to the end, later ones are
    // refused. bbolt has committed every write to disk when put returns.
    let late: Vec<_> = (0..20)
        .map(|i| {
            tokio::spawn(StoreImpl::put(
                "late".into(),
                vec![entry(format!("late/{i:02}"), "x")],
            ))
        })
        .collect();
    let stopped = tokio::task::spawn_blocking(|| r2go::shutdown(Duration::from_secs(5)))
        .await
        .expect("shutdown task");
    println!("shutdown(5 s) with 20 writes in flight = {stopped:?}");
    let mut finished = 0;
    for w in late {
        if w.await.expect("put task").is_ok() {
            finished += 1;
        }
    }
    println!("writes in flight that finished: {finished} of 20");
    let refused = StoreImpl::get("fruit", "fruit/apple").map_err(|e| e.kind);
    println!("get after shutdown = {refused:?}");
    // end snippet

    std::fs::remove_dir_all(&dir).expect("remove the temporary directory");
}
