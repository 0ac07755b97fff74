//! The floor: hand-written Rust → Go calls through the c-archive's `//export`
//! functions (bench/r2go/handlers/floor.go), with no framework. It calls the
//! same Go handlers as the r2go bridge, so the difference is the bridge.

use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::user::{Item, Items};

#[repr(C)]
struct LentItem {
    name: *const u8,
    name_len: usize,
    tag: u8,
}

type DoneFn = unsafe extern "C" fn(call: *mut c_void, value: u64);

extern "C" {
    fn r2gobench_floor_noop();
    fn r2gobench_floor_add(a: i64, b: i64) -> i64;
    fn r2gobench_floor_bytes(p: *const u8, n: usize) -> u64;
    fn r2gobench_floor_items(p: *const LentItem, n: usize, out: *mut u8, cap: usize) -> usize;
    fn r2gobench_floor_echo(x: u64, done: DoneFn, call: *mut c_void);
    fn r2gobench_floor_hold(x: u64, done: DoneFn, call: *mut c_void);
    fn r2gobench_floor_g2r_add_loop(add: extern "C" fn(i64, i64) -> i64, n: u64) -> i64;
}

/// What Go calls in the floor's g2r workload.
extern "C" fn rust_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Has Go call `rust_add(i, 1)` for i in 0..n; the sum of the results.
pub fn g2r_add_loop(n: u64) -> i64 {
    // SAFETY: Go calls the function pointer with integers during the call only.
    unsafe { r2gobench_floor_g2r_add_loop(rust_add, n) }
}

/// A Go function that does nothing.
pub fn noop() {
    // SAFETY: a plain export without arguments or result.
    unsafe { r2gobench_floor_noop() }
}

/// `a + b` in Go.
pub fn add(a: i64, b: i64) -> i64 {
    // SAFETY: a plain export taking and returning integers.
    unsafe { r2gobench_floor_add(a, b) }
}

/// How many bytes Go received.
pub fn bytes(data: &[u8]) -> u64 {
    // SAFETY: Go reads `data.len()` bytes from the pointer during the call only.
    unsafe { r2gobench_floor_bytes(data.as_ptr(), data.len()) }
}

/// The items Go returns for `req`. `out` is a reusable result buffer.
pub fn items(req: &Items, out: &mut Vec<u8>) -> Items {
    let lent: Vec<LentItem> = req
        .items
        .iter()
        .map(|i| LentItem {
            name: i.name.as_ptr(),
            name_len: i.name.len(),
            tag: i.tag,
        })
        .collect();
    loop {
        // SAFETY: `lent` and the names it points to live across the call; Go
        // writes at most `out.capacity()` bytes into `out`.
        let len = unsafe {
            r2gobench_floor_items(lent.as_ptr(), lent.len(), out.as_mut_ptr(), out.capacity())
        };
        if len <= out.capacity() {
            // SAFETY: Go initialised the first `len` bytes.
            unsafe { out.set_len(len) };
            return decode_items(out);
        }
        out.reserve(len);
    }
}

fn decode_items(mut b: &[u8]) -> Items {
    let mut take = |n: usize| {
        let (head, rest) = b.split_at(n);
        b = rest;
        head
    };
    let word = |s: &[u8]| u64::from_ne_bytes(s.try_into().expect("8 bytes")) as usize;
    let n = word(take(8));
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let len = word(take(8));
        let name = String::from_utf8(take(len).to_vec()).expect("UTF-8 name");
        let tag = take(1)[0];
        items.push(Item { name, tag });
    }
    Items { items }
}

/// One async call: Go's goroutine stores the value and wakes the task.
#[derive(Default)]
struct Call {
    done: AtomicBool,
    value: AtomicU64,
    waker: Mutex<Option<Waker>>,
}

unsafe extern "C" fn done(call: *mut c_void, value: u64) {
    // SAFETY: `call` came from Arc::into_raw in `start`, and Go calls this
    // exactly once per call, so it owns that reference.
    let call = unsafe { Arc::from_raw(call as *const Call) };
    call.value.store(value, Ordering::Relaxed);
    call.done.store(true, Ordering::Release);
    let waker = call.waker.lock().expect("waker lock").take();
    if let Some(w) = waker {
        w.wake();
    }
}

/// The future of a floor async call.
pub struct FloorCall(Arc<Call>);

impl Future for FloorCall {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let call = &self.0;
        if call.done.load(Ordering::Acquire) {
            return Poll::Ready(call.value.load(Ordering::Relaxed));
        }
        *call.waker.lock().expect("waker lock") = Some(cx.waker().clone());
        // Completion may have happened before the waker was stored.
        if call.done.load(Ordering::Acquire) {
            return Poll::Ready(call.value.load(Ordering::Relaxed));
        }
        Poll::Pending
    }
}

fn start(x: u64, export: unsafe extern "C" fn(u64, DoneFn, *mut c_void)) -> FloorCall {
    let call = Arc::new(Call::default());
    let go_ref = Arc::into_raw(call.clone()) as *mut c_void;
    // SAFETY: Go keeps `go_ref` (a counted reference) until it calls `done`
    // once with it; nothing else is lent.
    unsafe { export(x, done, go_ref) };
    FloorCall(call)
}

/// Go's echo handler on a goroutine.
pub fn echo(x: u64) -> FloorCall {
    start(x, r2gobench_floor_echo)
}

/// Go's blocking handler on a goroutine.
pub fn hold(x: u64) -> FloorCall {
    start(x, r2gobench_floor_hold)
}
