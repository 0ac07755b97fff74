//! Shutting the Go side down, and the counters that show calls leave nothing
//! behind.

use std::fmt;
use std::time::Duration;

use crate::abi;

/// Stops the Go side from accepting calls and waits, up to `timeout`, for
/// the calls in flight (sync and async handlers) to finish.
///
/// Calls made afterwards are not run: methods returning `Result` get an
/// `Err` whose [`GoError::kind`](crate::GoError::kind) is
/// [`ShutDown`](crate::GoErrorKind::ShutDown), other methods panic with a
/// message saying so. If `timeout` passes first, the `context.Context` of
/// every async handler still running is cancelled and the error says how
/// many calls were still in flight; they still deliver their results when
/// their handlers return. Shutting down cannot be undone. Calls to this
/// function (and to Go's `rt.Shutdown`) may overlap: all of them return when
/// the calls in flight have finished, and a later one returns at once.
///
/// This blocks the calling thread; from async code, call it inside
/// `tokio::task::spawn_blocking`. Go code can do the same with `rt.Shutdown`
/// (from outside a handler: inside one it stops accepting calls and returns
/// an error at once rather than wait for its own call).
pub fn shutdown(timeout: Duration) -> Result<(), ShutdownError> {
    let nanos = i64::try_from(timeout.as_nanos()).unwrap_or(i64::MAX);
    // SAFETY: the Go runtime's export takes a plain integer and touches no
    // Rust memory.
    let still_running = unsafe { abi::r2go1_rt_shutdown(nanos) };
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
    /// Entries of Go's registry of the cancel functions of running async
    /// calls: one per call in flight, none once they have finished.
    pub cancel_entries: u64,
    /// Places taken in the `rt.MaxConcurrent` limiters of every trait.
    pub limiter_places: u64,
}

/// Reads the Go side's counters.
pub fn go_stats() -> GoStats {
    let mut raw = [0i64; abi::STAT_COUNT];
    // SAFETY: Go writes STAT_COUNT counters into the array we lend for the
    // duration of the call and keeps no pointer to it.
    unsafe { abi::r2go1_rt_stats(raw.as_mut_ptr()) };
    GoStats {
        calls: raw[abi::STAT_CALLS].unsigned_abs(),
        handler_goroutines: raw[abi::STAT_HANDLER_GOROUTINES].unsigned_abs(),
        goroutines: raw[abi::STAT_GOROUTINES].unsigned_abs(),
        cancel_entries: raw[abi::STAT_CANCEL_ENTRIES].unsigned_abs(),
        limiter_places: raw[abi::STAT_LIMITER_PLACES].unsigned_abs(),
    }
}
