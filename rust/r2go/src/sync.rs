//! The synchronisation primitives of the async slot: std's, or loom's when
//! the slot is model-checked (`--cfg r2go_loom`).

#[cfg(not(r2go_loom))]
pub(crate) use std::sync::{atomic, Arc};

#[cfg(r2go_loom)]
pub(crate) use loom::sync::{atomic, Arc};

#[cfg(r2go_loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `std::cell::UnsafeCell` with loom's closure-based access, so the slot
/// code is the same under both.
#[cfg(not(r2go_loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(r2go_loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(v: T) -> Self {
        Self(std::cell::UnsafeCell::new(v))
    }

    /// Calls `f` with a raw pointer to the contents; the caller's protocol
    /// decides when dereferencing it is sound.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Lets other threads run before a poll that is repeated at once (a waker
/// woken by itself): nothing in std, a thread switch under loom, whose model
/// would otherwise count the repeated poll as a spin without progress.
#[inline]
pub(crate) fn yield_before_repoll() {
    #[cfg(r2go_loom)]
    loom::thread::yield_now();
}
