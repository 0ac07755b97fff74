//! Shutting the Go side down, and the counters that show calls leave nothing
//! behind.

use std::fmt;
use std::time::Duration;

#[repr(C)]
#[derive(Default)]
struct RawStats {
    calls: i64,
    handler_goroutines: i64,
    goroutines: i64,
}

unsafe extern "C" {
    // Exported by the Go runtime (package rt) of the linked c-archive.
    fn r2go1_rt_shutdown(timeout_nanos: i64) -> i64;
    fn r2go1_rt_stats(out: *mut RawStats);
}

/// Stops the Go side from accepting calls and waits, up to `timeout`, for
/// the calls in flight (sync and async handlers) to finish.
///
/// Calls made afterwards are not run: methods returning `Result` get an
/// `Err` whose [`GoError::kind`](crate::GoError::kind) is
/// [`ShutDown`](crate::GoErrorKind::ShutDown), other methods panic with a
/// message saying so. If `timeout` passes first, the `context.Context` of
/// every async handler still running is cancelled and the error says how
/// many calls were still in flight; they still deliver their results when
/// their handlers return. Shutting down cannot be undone; calling this again
/// waits again.
///
/// This blocks the calling thread; from async code, call it inside
/// `tokio::task::spawn_blocking`. Go code can do the same with `rt.Shutdown`.
pub fn shutdown(timeout: Duration) -> Result<(), ShutdownError> {
    let nanos = i64::try_from(timeout.as_nanos()).unwrap_or(i64::MAX);
    // SAFETY: the Go runtime's export takes a plain integer and touches no
    // Rust memory.
    let still_running = unsafe { r2go1_rt_shutdown(nanos) };
    if still_running == 0 {
        Ok(())
    } else {
        Err(ShutdownError {
            still_running: still_running.unsigned_abs(),
        })
    }
}

/// The deadline of [`shutdown`] passed with calls still in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownError {
    still_running: u64,
}

impl ShutdownError {
    /// How many calls were still in flight when the deadline passed.
    pub fn still_running(&self) -> u64 {
        self.still_running
    }
}

impl fmt::Display for ShutdownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "r2go: shutdown deadline passed with {} Go calls still in flight; their contexts are cancelled",
            self.still_running
        )
    }
}

impl std::error::Error for ShutdownError {}

/// Counters of the Go side, for tests and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GoStats {
    /// Calls in flight: sync handlers running, async handlers running or
    /// waiting for a free place.
    pub calls: u64,
    /// Goroutines started for async calls that have not ended.
    pub handler_goroutines: u64,
    /// Every goroutine of the Go runtime (`runtime.NumGoroutine`).
    pub goroutines: u64,
}

/// Reads the Go side's counters.
pub fn go_stats() -> GoStats {
    let mut raw = RawStats::default();
    // SAFETY: Go writes the three fields of the struct we lend for the
    // duration of the call and keeps no pointer to it.
    unsafe { r2go1_rt_stats(&mut raw) };
    GoStats {
        calls: raw.calls.unsigned_abs(),
        handler_goroutines: raw.handler_goroutines.unsigned_abs(),
        goroutines: raw.goroutines.unsigned_abs(),
    }
}
