//! What an async call allocates on the Rust side, counted: a scalar's call
//! allocates its slot and nothing else (the result is kept inline, the
//! waker is cloned without allocating).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use r2go_demo::user::{DemoCall, DemoCallImpl};

#[path = "common/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// Wakes the thread that polls.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` to completion on this thread, parking between polls (at most a
/// second at a time, and ten seconds in all).
fn block_on<F: Future>(f: F, waker: &Waker) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(waker);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "an async call did not complete within 10 s"
        );
        std::thread::park_timeout(Duration::from_secs(1));
    }
}

#[test]
fn an_async_call_of_a_scalar_allocates_only_its_slot() {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    // Warm up: the Go runtime's threads, the thread's buffers.
    for i in 0..100 {
        assert_eq!(block_on(DemoCallImpl::sleep_echo(0, i), &waker), i);
    }
    const CALLS: i64 = 1_000;
    let before = alloc::allocs_made();
    for i in 0..CALLS as u64 {
        assert_eq!(block_on(DemoCallImpl::sleep_echo(0, i), &waker), i);
    }
    let made = alloc::allocs_made() - before;
    assert_eq!(made, CALLS, "{made} allocations for {CALLS} async calls");
}
