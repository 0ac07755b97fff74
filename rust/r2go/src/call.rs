//! Calls and their slots: where Go delivers a result.
//!
//! Every call hands Go a pointer to a slot whose first field is a
//! [`SlotHeader`]: a C function Go calls exactly once with a status and the
//! encoded result. Sync calls keep the slot on the caller's stack. Async calls
//! share a reference-counted slot between the Rust future and Go: Go's
//! reference is released when it completes, the future's when it is dropped,
//! and whichever comes last frees the slot, so dropping a future at any time
//! is safe.

use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::wire::{Decode, DecodeError, Reader};

/// The result is the encoded value.
const STATUS_OK: u32 = 0;
/// The Go handler panicked; the data is its message.
const STATUS_PANIC: u32 = 1;

type CompleteFn =
    unsafe extern "C" fn(slot: *mut SlotHeader, status: u32, data: *const u8, len: usize);

type CancelFn = unsafe extern "C" fn(slot: *mut c_void);

/// The head of every slot, shared with the Go runtime (`r2go_slot` in rt).
#[repr(C)]
pub(crate) struct SlotHeader {
    complete: CompleteFn,
    /// Set by Go, during the call that starts an async handler, to the function
    /// that cancels the handler's context; 0 until then and for sync calls.
    cancel: AtomicUsize,
}

impl SlotHeader {
    fn new(complete: CompleteFn) -> Self {
        SlotHeader {
            complete,
            cancel: AtomicUsize::new(0),
        }
    }
}

/// Why a call produced no value.
#[derive(Debug)]
enum Failure {
    Panic(String),
    Decode(DecodeError),
    Status(u32),
}

impl Failure {
    fn raise(self, what: &str) -> ! {
        match self {
            Failure::Panic(msg) => panic!("Go handler of {what} panicked: {msg}"),
            Failure::Decode(e) => {
                panic!("r2go: the result of {what} from Go cannot be decoded: {e}")
            }
            Failure::Status(s) => panic!("r2go: Go completed {what} with unknown status {s}"),
        }
    }
}

/// Turns what Go delivered into a result. Never panics: it runs inside a C
/// callback, where unwinding would abort the process.
///
/// # Safety
/// `data` is null or valid for `len` bytes for the duration of the call.
unsafe fn outcome<R: Decode>(status: u32, data: *const u8, len: usize) -> Result<R, Failure> {
    let bytes: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: Go passes a live buffer of `len` bytes that it does not
        // touch until this callback returns.
        unsafe { std::slice::from_raw_parts(data, len) }
    };
    match status {
        STATUS_OK => Reader::decode_all(bytes).map_err(Failure::Decode),
        STATUS_PANIC => Err(Failure::Panic(String::from_utf8_lossy(bytes).into_owned())),
        s => Err(Failure::Status(s)),
    }
}

#[repr(C)]
struct SyncSlot<R> {
    header: SlotHeader,
    out: Option<Result<R, Failure>>,
}

unsafe extern "C" fn complete_sync<R: Decode>(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the header of the SyncSlot<R> that call_sync put on
    // its stack; Go calls this once, during the call.
    let slot = unsafe { &mut *(slot as *mut SyncSlot<R>) };
    // SAFETY: Go passes a buffer valid for this callback.
    slot.out = Some(unsafe { outcome::<R>(status, data, len) });
}

fn sync_slot<R: Decode>() -> SyncSlot<R> {
    SyncSlot {
        header: SlotHeader::new(complete_sync::<R>),
        out: None,
    }
}

/// Makes a sync call whose result Go delivers through the slot. `call`
/// receives the slot pointer and makes the C call. Panics (on this thread)
/// when the Go handler panicked or its result cannot be decoded.
pub fn call_sync<R: Decode>(what: &'static str, call: impl FnOnce(*mut c_void)) -> R {
    let mut slot = sync_slot::<R>();
    call(&mut slot as *mut SyncSlot<R> as *mut c_void);
    match slot.out {
        Some(Ok(v)) => v,
        Some(Err(f)) => f.raise(what),
        None => panic!("r2go: Go returned from {what} without delivering a result"),
    }
}

/// Makes a sync call whose result (a scalar, or nothing) the C function
/// returns directly; the slot only carries a Go panic back.
pub fn call_direct<R>(what: &'static str, call: impl FnOnce(*mut c_void) -> R) -> R {
    let mut slot = sync_slot::<()>();
    let r = call(&mut slot as *mut SyncSlot<()> as *mut c_void);
    match slot.out {
        None | Some(Ok(())) => r,
        Some(Err(f)) => f.raise(what),
    }
}

static LIVE_ASYNC: AtomicUsize = AtomicUsize::new(0);

/// How many async call slots are alive: calls not yet both completed by Go and
/// released by Rust. Tests use it to prove that dropped calls leak nothing.
pub fn live_async_calls() -> usize {
    LIVE_ASYNC.load(Ordering::SeqCst)
}

enum State<R> {
    Waiting(Option<Waker>),
    Done(Result<R, Failure>),
    Taken,
}

#[repr(C)]
struct AsyncSlot<R> {
    header: SlotHeader,
    state: Mutex<State<R>>,
}

impl<R> AsyncSlot<R> {
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        // Nothing panics while holding the lock, but a poisoned state is
        // still consistent, so never propagate poison into a C callback.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<R> Drop for AsyncSlot<R> {
    fn drop(&mut self) {
        LIVE_ASYNC.fetch_sub(1, Ordering::SeqCst);
    }
}

unsafe extern "C" fn complete_async<R: Decode>(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the pointer call_async made with Arc::into_raw; Go
    // owns that one reference and completes exactly once, so taking it back
    // here is balanced.
    let slot = unsafe { Arc::from_raw(slot as *const AsyncSlot<R>) };
    // SAFETY: Go passes a buffer valid for this callback.
    let result = unsafe { outcome::<R>(status, data, len) };
    let waker = match std::mem::replace(&mut *slot.lock(), State::Done(result)) {
        State::Waiting(w) => w,
        // Only Go completes, once; anything else is left as Go set it.
        State::Done(_) | State::Taken => None,
    };
    if let Some(w) = waker {
        w.wake();
    }
    // Dropping `slot` releases Go's reference; if the future is gone, this
    // frees the slot and the result with it.
}

/// The future of an async call: resolves to the Go handler's result.
///
/// The Go handler starts when the call is made, not when the future is first
/// polled. Dropping the future before the result arrives cancels the
/// handler's `context.Context`; the result, if it still comes, is dropped by
/// Go's completion, so dropping at any point is safe and leaks nothing.
/// Polling after the result was returned panics.
#[must_use = "the Go handler runs anyway; the future only delivers its result"]
pub struct AsyncCall<R> {
    what: &'static str,
    slot: Arc<AsyncSlot<R>>,
}

/// Starts an async call: `call` receives Go's reference to a new slot and
/// makes the C call, which copies the arguments and starts the handler.
pub fn call_async<R: Decode>(what: &'static str, call: impl FnOnce(*mut c_void)) -> AsyncCall<R> {
    LIVE_ASYNC.fetch_add(1, Ordering::SeqCst);
    let slot = Arc::new(AsyncSlot {
        header: SlotHeader::new(complete_async::<R>),
        state: Mutex::new(State::Waiting(None)),
    });
    call(Arc::into_raw(slot.clone()) as *mut c_void);
    AsyncCall { what, slot }
}

impl<R> Drop for AsyncCall<R> {
    fn drop(&mut self) {
        if !matches!(*self.slot.lock(), State::Waiting(_)) {
            return;
        }
        let cancel = self.slot.header.cancel.load(Ordering::Acquire);
        if cancel != 0 {
            // SAFETY: a non-zero value was written by Go's runtime during the
            // call that started the handler, and is the address of its C
            // function `void r2go1_rt_cancel(void *slot)`. The slot is alive:
            // this future still holds a reference.
            let cancel: CancelFn = unsafe { std::mem::transmute::<usize, CancelFn>(cancel) };
            // SAFETY: Go only looks the slot up by address; it does not dereference it.
            unsafe { cancel(Arc::as_ptr(&self.slot) as *mut c_void) };
        }
    }
}

impl<R> Future for AsyncCall<R> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let mut state = self.slot.lock();
        match std::mem::replace(&mut *state, State::Taken) {
            State::Waiting(w) => {
                let w = match w {
                    Some(w) if w.will_wake(cx.waker()) => w,
                    _ => cx.waker().clone(),
                };
                *state = State::Waiting(Some(w));
                Poll::Pending
            }
            State::Done(r) => {
                drop(state);
                match r {
                    Ok(v) => Poll::Ready(v),
                    Err(f) => f.raise(self.what),
                }
            }
            State::Taken => {
                drop(state);
                panic!("r2go: {} polled after it returned its result", self.what)
            }
        }
    }
}
