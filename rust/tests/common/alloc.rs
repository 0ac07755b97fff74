//! A global allocator that counts live allocations, for the tests that prove
//! calls and streams leave none behind. A test binary that uses it declares
//! `#[global_allocator] static ALLOC: alloc::Counting = alloc::Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, Ordering};

/// Counts live allocations, deferring to the system allocator.
pub struct Counting;

static LIVE_ALLOCS: AtomicI64 = AtomicI64::new(0);
static ALLOCS_MADE: AtomicI64 = AtomicI64::new(0);

/// How many allocations were made so far, freed or not.
#[allow(dead_code)] // not every test binary counts them
pub fn allocs_made() -> i64 {
    ALLOCS_MADE.load(Ordering::SeqCst)
}

/// How many allocations are live now.
#[allow(dead_code)] // not every test binary counts them
pub fn live_allocs() -> i64 {
    LIVE_ALLOCS.load(Ordering::SeqCst)
}

// SAFETY: defers every operation to the system allocator, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        ALLOCS_MADE.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_ALLOCS.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
