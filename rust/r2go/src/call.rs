//! Calls and their slots: where Go delivers a result.
//!
//! Every call hands Go a pointer to a slot whose first field is a
//! [`SlotHeader`]: a C function Go calls exactly once with a status and the
//! encoded result. Sync calls keep the slot on the caller's stack. Async calls
//! share a reference-counted slot between the Rust future and Go: Go's
//! reference is released when it completes, the future's when it is dropped,
//! and whichever comes last frees the slot, so dropping a future at any time
//! is safe.
//!
//! The completion callback runs inside a C call from Go, where a Rust panic
//! would abort the process: it only decodes (generated code and this crate,
//! which never panic on bad input) and stores. Anything that runs user code,
//! such as `From<GoError>` for the error type, runs later on the caller.

use std::ffi::c_void;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::error::GoError;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, UnsafeCell};
use crate::wire::{Decode, DecodeError, Reader};

/// The result is the encoded value.
const STATUS_OK: u32 = 0;
/// The Go handler panicked; the data is its message.
const STATUS_PANIC: u32 = 1;
/// The handler returned an error; the data is its `Error()` text.
const STATUS_ERROR: u32 = 2;
/// The handler returned the method's error struct; the data encodes it.
const STATUS_ERROR_VALUE: u32 = 3;
/// The call was not run (the Go side is shut down); the data says why.
const STATUS_SHUTDOWN: u32 = 4;

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

/// Why a call produced no value of its own.
#[derive(Debug)]
pub enum Failure {
    /// The handler panicked, with this message.
    Panic(String),
    /// The handler returned an error that is not of the method's error
    /// type, with this text.
    Returned(String),
    /// The Go side did not run the call, for this reason.
    ShutDown(String),
    /// The result could not be decoded (a bug in r2go).
    Decode(DecodeError),
    /// Go used a status this runtime does not know (a bug in r2go).
    Status(u32),
}

impl Failure {
    /// Panics on the caller, for methods that cannot return an error.
    fn raise(self, what: &str) -> ! {
        match self {
            Failure::Panic(msg) => panic!("Go handler of {what} panicked: {msg}"),
            Failure::ShutDown(msg) => panic!("r2go: {what} was not run: {msg}"),
            Failure::Returned(msg) => {
                panic!("r2go: Go returned an error from {what}, which cannot fail: {msg}")
            }
            Failure::Decode(e) => {
                panic!("r2go: the result of {what} from Go cannot be decoded: {e}")
            }
            Failure::Status(s) => panic!("r2go: Go completed {what} with unknown status {s}"),
        }
    }
}

/// How a method's result is built from what Go delivered: [`Value`] for
/// methods that cannot fail, [`Fallible`] for methods returning `Result`.
pub trait Reply: 'static {
    /// What the completion callback stores: decoded, but not yet handed to
    /// any user code.
    type Decoded: Send + 'static;
    /// What the method returns.
    type Output;

    /// Decodes a completion. Never panics: it runs inside a C callback.
    fn decode(status: u32, data: &[u8]) -> Self::Decoded;

    /// Turns the decoded completion into the method's result, on the caller;
    /// panics for failures the method cannot return.
    fn finish(d: Self::Decoded, what: &'static str) -> Self::Output;
}

fn failure(status: u32, data: &[u8]) -> Failure {
    let text = || String::from_utf8_lossy(data).into_owned();
    match status {
        STATUS_PANIC => Failure::Panic(text()),
        STATUS_ERROR => Failure::Returned(text()),
        STATUS_SHUTDOWN => Failure::ShutDown(text()),
        s => Failure::Status(s),
    }
}

/// The reply of a method returning `T`: Go failures panic the caller.
pub struct Value<T>(PhantomData<fn() -> T>);

impl<T: Decode + Send + 'static> Reply for Value<T> {
    type Decoded = Result<T, Failure>;
    type Output = T;

    fn decode(status: u32, data: &[u8]) -> Self::Decoded {
        match status {
            STATUS_OK => Reader::decode_all(data).map_err(Failure::Decode),
            s => Err(failure(s, data)),
        }
    }

    fn finish(d: Self::Decoded, what: &'static str) -> T {
        d.unwrap_or_else(|f| f.raise(what))
    }
}

/// An error type `E` of a method returning `Result<T, E>`: a `String`,
/// [`GoError`], or a `#[derive(R2G)]` struct that implements
/// `From<GoError>` (its glue implements this trait).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error type of a method implemented in Go",
    note = "use `String`, `r2go::GoError`, or a struct or enum with #[derive(R2G)] that implements `From<r2go::GoError>`"
)]
pub trait ErrorType: Sized + Send + 'static {
    /// Decodes the error value a Go handler returned.
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Converts a failure that is not an error value: a Go error of another
    /// type, a panic, a call after shutdown.
    fn from_go_error(e: GoError) -> Self;
}

impl ErrorType for String {
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        String::decode(r)
    }
    fn from_go_error(e: GoError) -> Self {
        e.into()
    }
}

impl ErrorType for GoError {
    fn decode_value(_: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Err(DecodeError::new("Go sent an error value for GoError"))
    }
    fn from_go_error(e: GoError) -> Self {
        e
    }
}

/// What a fallible call delivered before user code sees it.
pub enum FallibleDecoded<T, E> {
    Ok(T),
    ErrValue(E),
    Failed(Failure),
}

/// The reply of a method returning `Result<T, E>`: every failure is an `Err`.
pub struct Fallible<T, E>(PhantomData<fn() -> (T, E)>);

impl<T: Decode + Send + 'static, E: ErrorType> Reply for Fallible<T, E> {
    type Decoded = FallibleDecoded<T, E>;
    type Output = Result<T, E>;

    fn decode(status: u32, data: &[u8]) -> Self::Decoded {
        let decoded = match status {
            STATUS_OK => Reader::decode_all(data).map(FallibleDecoded::Ok),
            STATUS_ERROR_VALUE => {
                let mut r = Reader::new(data);
                E::decode_value(&mut r).and_then(|e| {
                    r.finish()?;
                    Ok(FallibleDecoded::ErrValue(e))
                })
            }
            s => Ok(FallibleDecoded::Failed(failure(s, data))),
        };
        decoded.unwrap_or_else(|e| FallibleDecoded::Failed(Failure::Decode(e)))
    }

    fn finish(d: Self::Decoded, what: &'static str) -> Result<T, E> {
        match d {
            FallibleDecoded::Ok(v) => Ok(v),
            FallibleDecoded::ErrValue(e) => Err(e),
            FallibleDecoded::Failed(f) => match f {
                Failure::Returned(msg) => Err(E::from_go_error(GoError::returned(what, msg))),
                Failure::Panic(msg) => Err(E::from_go_error(GoError::panicked(what, msg))),
                Failure::ShutDown(msg) => Err(E::from_go_error(GoError::shut_down(what, msg))),
                f @ (Failure::Decode(_) | Failure::Status(_)) => f.raise(what),
            },
        }
    }
}

/// # Safety
/// `data` is null or valid for `len` bytes for the duration of the call.
unsafe fn bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: Go passes a live buffer of `len` bytes that it does not
        // touch until this callback returns.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

#[repr(C)]
struct SyncSlot<P: Reply> {
    header: SlotHeader,
    out: Option<P::Decoded>,
}

unsafe extern "C" fn complete_sync<P: Reply>(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the header of the SyncSlot<P> that the caller put on
    // its stack; Go calls this once, during the call.
    let slot = unsafe { &mut *(slot as *mut SyncSlot<P>) };
    // SAFETY: Go passes a buffer valid for this callback.
    slot.out = Some(P::decode(status, unsafe { bytes(data, len) }));
}

fn sync_slot<P: Reply>() -> SyncSlot<P> {
    SyncSlot {
        header: SlotHeader::new(complete_sync::<P>),
        out: None,
    }
}

/// Makes a sync call whose result Go delivers through the slot. `call`
/// receives the slot pointer and makes the C call.
pub fn call_sync<P: Reply>(what: &'static str, call: impl FnOnce(*mut c_void)) -> P::Output {
    let mut slot = sync_slot::<P>();
    call(&mut slot as *mut SyncSlot<P> as *mut c_void);
    match slot.out {
        Some(d) => P::finish(d, what),
        None => panic!("r2go: Go returned from {what} without delivering a result"),
    }
}

/// Makes a sync call whose result (a scalar, or nothing) the C function
/// returns directly; the slot only carries a failure back (a panic, or a
/// call after shutdown), which panics here.
pub fn call_direct<R>(what: &'static str, call: impl FnOnce(*mut c_void) -> R) -> R {
    let mut slot = sync_slot::<Value<()>>();
    let r = call(&mut slot as *mut SyncSlot<Value<()>> as *mut c_void);
    match slot.out {
        None | Some(Ok(())) => r,
        Some(Err(f)) => f.raise(what),
    }
}

static LIVE_ASYNC: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many async call slots are alive: calls not yet both completed by Go and
/// released by Rust. Tests use it to prove that dropped calls leak nothing.
pub fn live_async_calls() -> usize {
    LIVE_ASYNC.load(std::sync::atomic::Ordering::SeqCst)
}

/// The future is storing a waker; Go must not touch the waker cell.
const REGISTERING: usize = 1;
/// Go has stored the result; it touches neither cell again.
const COMPLETE: usize = 2;

/// The slot of an async call. `state` orders the two cells: Go writes
/// `value` before it sets COMPLETE, and the future reads it only after it
/// saw COMPLETE. The future writes `waker` only while it holds REGISTERING
/// and COMPLETE is unset; Go takes it only when it set COMPLETE while
/// REGISTERING was unset, after which the future never touches it again.
#[repr(C)]
struct AsyncSlot<D> {
    header: SlotHeader,
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
    value: UnsafeCell<Option<D>>,
}

// SAFETY: the cells are only accessed under the protocol described on the
// type, which gives each access exclusive use of its cell; D and Waker are Send.
unsafe impl<D: Send> Send for AsyncSlot<D> {}
// SAFETY: as above.
unsafe impl<D: Send> Sync for AsyncSlot<D> {}

impl<D> AsyncSlot<D> {
    fn new(complete: CompleteFn) -> Self {
        LIVE_ASYNC.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        AsyncSlot {
            header: SlotHeader::new(complete),
            state: AtomicUsize::new(0),
            waker: UnsafeCell::new(None),
            value: UnsafeCell::new(None),
        }
    }

    /// Go's side: stores the result and wakes the future. Called once.
    fn deliver(&self, d: D) {
        // SAFETY: only Go writes `value`, once, before it sets COMPLETE; the
        // future does not read it until it sees COMPLETE.
        self.value.with_mut(|v| unsafe { *v = Some(d) });
        let prev = self.state.fetch_or(COMPLETE, Ordering::AcqRel);
        if prev & REGISTERING == 0 {
            // SAFETY: COMPLETE is set and no registration was in progress, so
            // the future will not touch the waker again.
            let waker = self.waker.with_mut(|w| unsafe { (*w).take() });
            if let Some(w) = waker {
                w.wake();
            }
        }
        // Otherwise the future is registering: it will see COMPLETE when it
        // finishes and return the value itself.
    }

    /// The future's side: the value when Go has delivered it, after storing
    /// `waker` to be woken otherwise.
    fn poll_value(&self, waker: &Waker) -> Poll<Option<D>> {
        if self.state.load(Ordering::Acquire) & COMPLETE == 0
            && self
                .state
                .compare_exchange(0, REGISTERING, Ordering::Acquire, Ordering::Acquire)
                .is_ok()
        {
            // SAFETY: REGISTERING is held and COMPLETE was unset, so Go does
            // not touch the waker until we release it.
            self.waker.with_mut(|w| unsafe {
                match &*w {
                    Some(old) if old.will_wake(waker) => {}
                    _ => *w = Some(waker.clone()),
                }
            });
            if self
                .state
                .compare_exchange(REGISTERING, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Poll::Pending;
            }
            // Go completed while we registered: the value is there.
        }
        // SAFETY: COMPLETE is set (seen with Acquire, after Go's write), and
        // Go no longer touches the value; only this future reads it.
        Poll::Ready(self.value.with_mut(|v| unsafe { (*v).take() }))
    }

    fn is_complete(&self) -> bool {
        self.state.load(Ordering::Acquire) & COMPLETE != 0
    }
}

impl<D> Drop for AsyncSlot<D> {
    fn drop(&mut self) {
        LIVE_ASYNC.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

unsafe extern "C" fn complete_async<P: Reply>(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the pointer call_async made with Arc::into_raw; Go
    // owns that one reference and completes exactly once, so taking it back
    // here is balanced.
    let slot = unsafe { Arc::from_raw(slot as *const AsyncSlot<P::Decoded>) };
    // SAFETY: Go passes a buffer valid for this callback.
    slot.deliver(P::decode(status, unsafe { bytes(data, len) }));
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
pub struct AsyncCall<P: Reply> {
    what: &'static str,
    slot: Arc<AsyncSlot<P::Decoded>>,
    /// Whether the first poll has spun already.
    spun: bool,
}

/// How long the first poll of a call waits, spinning, for a quick result.
const SPIN: std::time::Duration = std::time::Duration::from_micros(20);

/// Spinning pays only when few calls are in flight: otherwise the thread has
/// other work, and results arrive while it does it.
const SPIN_MAX_IN_FLIGHT: usize = 2;

/// Spins for up to [`SPIN`] until `done`, when few calls are in flight. A
/// handler that answers within microseconds then completes the call without
/// the task being parked and woken, which costs more than the spin on small
/// machines. (ADR 0006.)
fn spin_until(done: impl Fn() -> bool) {
    if live_async_calls() > SPIN_MAX_IN_FLIGHT {
        return;
    }
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if done() {
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return;
        }
    }
}

/// Starts an async call: `call` receives Go's reference to a new slot and
/// makes the C call, which copies the arguments and starts the handler.
pub fn call_async<P: Reply>(what: &'static str, call: impl FnOnce(*mut c_void)) -> AsyncCall<P> {
    let slot = Arc::new(AsyncSlot::new(complete_async::<P>));
    call(Arc::into_raw(slot.clone()) as *mut c_void);
    AsyncCall {
        what,
        slot,
        spun: false,
    }
}

impl<P: Reply> Drop for AsyncCall<P> {
    fn drop(&mut self) {
        if self.slot.is_complete() {
            return;
        }
        let cancel = self.slot.header.cancel.load(Ordering::Acquire);
        if cancel != 0 {
            // SAFETY: a non-zero value was written by Go's runtime during the
            // call that started the handler, and is the address of a C
            // function `void (*)(void *slot)`. The slot is alive: this future
            // still holds a reference.
            let cancel: CancelFn = unsafe { std::mem::transmute::<usize, CancelFn>(cancel) };
            // SAFETY: Go only looks the slot up by address; it does not dereference it.
            unsafe { cancel(Arc::as_ptr(&self.slot) as *mut c_void) };
        }
    }
}

impl<P: Reply> Future for AsyncCall<P> {
    type Output = P::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<P::Output> {
        if !self.spun {
            self.spun = true;
            spin_until(|| self.slot.is_complete());
        }
        match self.slot.poll_value(cx.waker()) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(d)) => Poll::Ready(P::finish(d, self.what)),
            Poll::Ready(None) => panic!("r2go: {} polled after it returned its result", self.what),
        }
    }
}

#[cfg(all(test, r2go_loom))]
mod loom_tests {
    //! The async slot's state machine under every interleaving loom finds of:
    //! Go delivering the result, the future polling, the future being
    //! dropped, and the cancellation it fires.

    use super::*;
    use loom::sync::atomic::AtomicUsize as LoomUsize;
    use loom::thread;

    loom::lazy_static! {
        static ref CANCELS: LoomUsize = LoomUsize::new(0);
    }

    unsafe extern "C" fn cancel(_: *mut c_void) {
        CANCELS.fetch_add(1, Ordering::SeqCst);
    }

    unsafe extern "C" fn never_called(_: *mut SlotHeader, _: u32, _: *const u8, _: usize) {}

    /// A reply whose value is a reference to a tracker, so a leaked or
    /// doubly freed result shows in the tracker's reference count.
    struct Tracked;

    impl Reply for Tracked {
        type Decoded = Arc<()>;
        type Output = Arc<()>;
        fn decode(_: u32, _: &[u8]) -> Arc<()> {
            unreachable!("the model delivers directly")
        }
        fn finish(d: Arc<()>, _: &'static str) -> Arc<()> {
            d
        }
    }

    /// A call whose Go side is a thread that delivers a clone of `tracker`.
    fn start(tracker: &Arc<()>) -> (AsyncCall<Tracked>, thread::JoinHandle<()>) {
        let slot: Arc<AsyncSlot<Arc<()>>> = Arc::new(AsyncSlot::new(never_called));
        // Go offers cancellation during the starting call, before Rust has
        // the future.
        slot.header
            .cancel
            .store(cancel as *const () as usize, Ordering::Release);
        let go = slot.clone();
        let value = tracker.clone();
        let handle = thread::spawn(move || go.deliver(value));
        (
            AsyncCall {
                what: "Loom::call",
                slot,
                // The spin only loads the state; the model need not see it.
                spun: true,
            },
            handle,
        )
    }

    #[test]
    fn completion_races_with_polling() {
        loom::model(|| {
            CANCELS.store(0, Ordering::SeqCst);
            let tracker = Arc::new(());
            let (call, go) = start(&tracker);
            let got = loom::future::block_on(call);
            go.join().unwrap();
            assert!(Arc::ptr_eq(&got, &tracker));
            drop(got);
            assert_eq!(Arc::strong_count(&tracker), 1);
            assert_eq!(CANCELS.load(Ordering::SeqCst), 0);
        });
    }

    #[test]
    fn drop_after_one_poll_races_with_completion() {
        loom::model(|| {
            CANCELS.store(0, Ordering::SeqCst);
            let tracker = Arc::new(());
            let (mut call, go) = start(&tracker);
            let waker = futures_noop_waker();
            let mut cx = Context::from_waker(&waker);
            let first = Pin::new(&mut call).poll(&mut cx);
            let delivered = first.is_ready();
            drop(call);
            go.join().unwrap();
            // A future dropped before it saw the result fires cancellation
            // at most once; one that got the result fires none.
            let cancels = CANCELS.load(Ordering::SeqCst);
            assert!(cancels <= 1);
            if delivered {
                assert_eq!(cancels, 0);
            }
            drop(first);
            assert_eq!(Arc::strong_count(&tracker), 1);
        });
    }

    #[test]
    fn drop_without_polling_races_with_completion() {
        loom::model(|| {
            let tracker = Arc::new(());
            let (call, go) = start(&tracker);
            drop(call);
            go.join().unwrap();
            // Whichever side finished last freed the slot and the result.
            assert_eq!(Arc::strong_count(&tracker), 1);
        });
    }

    fn futures_noop_waker() -> Waker {
        use std::task::{RawWaker, RawWakerVTable};
        fn clone(_: *const ()) -> RawWaker {
            RawWaker::new(std::ptr::null(), &VTABLE)
        }
        fn noop(_: *const ()) {}
        static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
        // SAFETY: the vtable's functions do nothing and ignore the data pointer.
        unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
    }
}
