//! Bounded waits for async tests: each ends the test with a message.

use std::time::{Duration, Instant};

/// Every wait of these helpers ends within this.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Waits until `f` holds, polling every millisecond, or fails naming `what`.
pub async fn until(what: &str, f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < LIMIT, "{what}: not within {LIMIT:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
