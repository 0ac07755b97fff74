//! A waker cell shared by one consumer, which stores its waker, and a
//! producer on another thread (Go, through a callback), which wakes it: the
//! atomic-waker protocol of streams (ADR 0009) and uploads.

use std::task::Waker;

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::UnsafeCell;

/// No registration or wake-up in progress.
const WAITING: usize = 0;
/// The consumer is storing its waker.
const REGISTERING: usize = 1;
/// The producer is taking the waker to wake it.
const WAKING: usize = 2;

/// `state` guards `waker`: the consumer writes it only after moving WAITING
/// to REGISTERING; the producer takes it only after moving WAITING to
/// WAKING. A wake-up that finds a registration in progress leaves WAKING
/// set, and the consumer, failing to return to WAITING, wakes itself.
pub(crate) struct AtomicWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cell is only accessed under the protocol described on the
// type, which gives each access exclusive use of it; Waker is Send.
unsafe impl Send for AtomicWaker {}
// SAFETY: as above.
unsafe impl Sync for AtomicWaker {}

impl AtomicWaker {
    pub(crate) fn new() -> Self {
        AtomicWaker {
            state: AtomicUsize::new(WAITING),
            waker: UnsafeCell::new(None),
        }
    }

    /// The consumer's side: stores `waker` to be woken by the next `wake`.
    pub(crate) fn register(&self, waker: &Waker) {
        match self.state.compare_exchange(
            WAITING,
            REGISTERING,
            Ordering::Acquire,
            Ordering::Acquire,
        ) {
            Ok(_) => {
                // SAFETY: REGISTERING is held, so the producer does not touch
                // the waker.
                self.waker.with_mut(|w| unsafe {
                    match &*w {
                        Some(old) if old.will_wake(waker) => {}
                        _ => *w = Some(waker.clone()),
                    }
                });
                if self
                    .state
                    .compare_exchange(REGISTERING, WAITING, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // The producer woke while we registered (REGISTERING |
                    // WAKING): it left the waker to us, so wake it ourselves.
                    // SAFETY: the producer does not take the waker while
                    // REGISTERING is set.
                    let w = self.waker.with_mut(|w| unsafe { (*w).take() });
                    self.state.swap(WAITING, Ordering::AcqRel);
                    if let Some(w) = w {
                        w.wake();
                    }
                }
            }
            // A wake-up is in progress: be polled again.
            Err(_) => {
                crate::sync::yield_before_repoll();
                waker.wake_by_ref();
            }
        }
    }

    /// The producer's side: wakes the registered waker, if any.
    pub(crate) fn wake(&self) {
        if self.state.fetch_or(WAKING, Ordering::AcqRel) == WAITING {
            // SAFETY: WAKING is held and no registration is in progress, so
            // the consumer does not touch the waker until we release it.
            let w = self.waker.with_mut(|w| unsafe { (*w).take() });
            self.state.fetch_and(!WAKING, Ordering::Release);
            if let Some(w) = w {
                w.wake();
            }
        }
    }
}

/// A waker that does nothing: for a poll whose caller does not wait (the
/// first poll of a Go-to-Rust future on Go's thread) and for model tests.
/// (`Waker::noop` needs a newer Rust than the crate's minimum.)
pub(crate) fn noop_waker() -> &'static Waker {
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    static NOOP: std::sync::OnceLock<Waker> = std::sync::OnceLock::new();
    NOOP.get_or_init(|| std::sync::Arc::new(Noop).into())
}
