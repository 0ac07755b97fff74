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
//! would abort the process, and on a thread whose stack the caller does not
//! choose: it only copies Go's bytes into the slot. Decoding them, and any
//! user code (a `Drop` of a decoded value, `From<GoError>` for the error
//! type), runs later on the caller: after the C call returns for sync calls,
//! in `poll` for async ones. The bytes of a dropped call are freed without
//! being decoded.

use std::ffi::c_void;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::abi::{
    SLOT_CANCELLED, SLOT_CANCEL_OFFSET, SLOT_COMPLETE_OFFSET, SLOT_HEADER_SIZE,
    SLOT_IN_FLIGHT_OFFSET, STATUS_ERROR, STATUS_ERROR_VALUE, STATUS_INVALID, STATUS_OK,
    STATUS_PANIC, STATUS_SHUTDOWN,
};
use crate::error::GoError;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, UnsafeCell};
use crate::wire::{decode_buffer, Decode, DecodeError, Keep, LendError, Reader};

pub(crate) type CompleteFn =
    unsafe extern "C" fn(slot: *mut SlotHeader, status: u32, data: *const u8, len: usize);

pub(crate) type CancelFn = unsafe extern "C" fn(slot: *mut c_void);

/// The head of every slot, shared with the Go runtime (`r2go_slot` in rt;
/// its layout is the contract's, asserted below).
#[repr(C)]
pub(crate) struct SlotHeader {
    pub(crate) complete: CompleteFn,
    /// The cancel word of an async call (rt/abi): 0, the function Go offers
    /// once the handler looks at its context, or SLOT_CANCELLED once Rust has
    /// dropped the call. Unused by sync calls.
    pub(crate) cancel: AtomicUsize,
    /// How many async calls were in flight when this one was made: Go's idle
    /// worker spins only when there are few. 0 for sync calls.
    in_flight: usize,
}

// The slot header as the contract (rt/abi) lays it out.
#[cfg(not(r2go_loom))]
const _: () = {
    assert!(std::mem::offset_of!(SlotHeader, complete) == SLOT_COMPLETE_OFFSET);
    assert!(std::mem::offset_of!(SlotHeader, cancel) == SLOT_CANCEL_OFFSET);
    assert!(std::mem::offset_of!(SlotHeader, in_flight) == SLOT_IN_FLIGHT_OFFSET);
    assert!(std::mem::size_of::<SlotHeader>() == SLOT_HEADER_SIZE);
};

impl SlotHeader {
    pub(crate) fn new(complete: CompleteFn) -> Self {
        SlotHeader {
            complete,
            cancel: AtomicUsize::new(0),
            in_flight: 0,
        }
    }

    /// Cancels the Go handler of an unfinished async call whose future Rust
    /// drops; `slot` is the address Go knows the call by, kept alive by the
    /// caller. Go offers its cancel function only once the handler looks at
    /// its context (rt/abi, the cancel word): marking the word tells a later
    /// offer that the call is gone, and takes an earlier one.
    pub(crate) fn cancel_dropped(&self, slot: *mut c_void) {
        let cancel = self.cancel.swap(SLOT_CANCELLED, Ordering::AcqRel);
        if cancel != 0 && cancel != SLOT_CANCELLED {
            // SAFETY: any other value was written by Go's runtime while it
            // held the slot, and is the address of a C function
            // `void (*)(void *slot)`.
            let cancel: CancelFn = unsafe { std::mem::transmute::<usize, CancelFn>(cancel) };
            // SAFETY: Go only looks the slot up by address; it does not
            // dereference it, and the caller keeps it alive meanwhile.
            unsafe { cancel(slot) };
        }
    }

    /// Records how many async calls Rust has in flight, for Go's idle
    /// worker (rt/abi).
    pub(crate) fn set_in_flight(&mut self, n: usize) {
        self.in_flight = n;
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
    /// Go could not encode the result, for this reason.
    Invalid(String),
    /// The result could not be decoded.
    Decode(DecodeError),
    /// An argument could not be lent to Go.
    Unlent(LendError),
    /// Go used a status this runtime does not know (a bug in r2go).
    Status(u32),
    /// The Go server could not be reached, or the connection to it broke
    /// (calls over gRPC), with what happened.
    Transport(String),
}

impl Failure {
    /// The text of a failure of `what` that is not the handler's own.
    fn invalid_text(&self, what: &str) -> Option<String> {
        match self {
            Failure::Invalid(msg) => Some(format!("Go cannot encode the result of {what}: {msg}")),
            Failure::Decode(e) => Some(format!(
                "the result of {what} from Go cannot be decoded: {e}"
            )),
            Failure::Unlent(e) => {
                Some(format!("the arguments of {what} cannot be lent to Go: {e}"))
            }
            _ => None,
        }
    }

    /// Panics on the caller, for methods that cannot return an error.
    pub(crate) fn raise(self, what: &str) -> ! {
        if let Some(text) = self.invalid_text(what) {
            panic!("r2go: {text}");
        }
        match self {
            Failure::Panic(msg) => panic!("Go handler of {what} panicked: {msg}"),
            Failure::ShutDown(msg) => panic!("r2go: {what} was not run: {msg}"),
            Failure::Returned(msg) => {
                panic!("r2go: Go returned an error from {what}, which cannot fail: {msg}")
            }
            Failure::Status(s) => panic!("r2go: Go completed {what} with unknown status {s}"),
            Failure::Transport(msg) => panic!("r2go: {what} failed: {msg}"),
            Failure::Invalid(_) | Failure::Decode(_) | Failure::Unlent(_) => unreachable!(),
        }
    }

    /// The failure as the `GoError` of a method returning `Result`; panics
    /// for a status no r2go Go side sends.
    pub(crate) fn into_go_error(self, what: &'static str) -> GoError {
        if let Some(text) = self.invalid_text(what) {
            return GoError::invalid(what, text);
        }
        match self {
            Failure::Returned(msg) => GoError::returned(what, msg),
            Failure::Panic(msg) => GoError::panicked(what, msg),
            Failure::ShutDown(msg) => GoError::shut_down(what, msg),
            Failure::Transport(msg) => GoError::transport(what, msg),
            f => f.raise(what),
        }
    }
}

/// Go's text as a Rust string: bytes that are not UTF-8 become `\xNN`, so
/// they show instead of vanishing into U+FFFD.
fn text(data: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(data.len());
    for chunk in data.utf8_chunks() {
        s.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    s
}

fn failure(status: u32, data: &[u8]) -> Failure {
    match status {
        STATUS_PANIC => Failure::Panic(text(data)),
        STATUS_ERROR => Failure::Returned(text(data)),
        STATUS_SHUTDOWN => Failure::ShutDown(text(data)),
        STATUS_INVALID => Failure::Invalid(text(data)),
        s => Failure::Status(s),
    }
}

/// What Go delivered to an async slot, as Go's bytes: nothing is decoded
/// until the future takes it.
pub struct Completion {
    status: u32,
    data: Bytes,
}

/// How many bytes of a result a slot holds without allocating: a few
/// scalars, which is what most async results are.
const INLINE: usize = 32;

/// A copy of Go's bytes, inline when they fit, so that delivering a small
/// result allocates nothing inside Go's callback.
enum Bytes {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl Bytes {
    fn copy(data: &[u8]) -> Self {
        if data.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..data.len()].copy_from_slice(data);
            Bytes::Inline {
                len: data.len() as u8,
                buf,
            }
        } else {
            Bytes::Heap(data.to_vec())
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline { len, buf } => &buf[..*len as usize],
            Bytes::Heap(v) => v,
        }
    }
}

/// How a method's result is built from what Go delivered: [`Value`] for
/// methods that cannot fail, [`Fallible`] for methods returning `Result`.
pub trait Reply: 'static {
    /// What the method returns.
    type Output;
    /// What an async slot holds until the future takes it.
    type Stored: Send + 'static;

    /// Keeps a completion for the future. Runs inside Go's callback: it
    /// copies and runs no user code.
    fn store(status: u32, data: &[u8]) -> Self::Stored;

    /// Turns a stored completion into the method's result, on the caller.
    fn finish(stored: Self::Stored, what: &'static str) -> Self::Output;

    /// Turns a completion into the method's result, on the caller: decodes
    /// it, and panics for failures the method cannot return.
    fn finish_bytes(status: u32, data: &[u8], what: &'static str) -> Self::Output;

    /// The result of a call whose arguments could not be lent to Go.
    fn unlent(e: LendError, what: &'static str) -> Self::Output;
}

/// The reply of a method returning `T`: Go failures panic the caller.
pub struct Value<T>(PhantomData<fn() -> T>);

impl<T: Decode + Send + 'static> Reply for Value<T> {
    type Output = T;
    type Stored = Completion;

    fn store(status: u32, data: &[u8]) -> Completion {
        Completion {
            status,
            data: Bytes::copy(data),
        }
    }

    fn finish(c: Completion, what: &'static str) -> T {
        Self::finish_bytes(c.status, c.data.as_slice(), what)
    }

    fn finish_bytes(status: u32, data: &[u8], what: &'static str) -> T {
        match status {
            STATUS_OK => {
                decode_buffer(data, T::decode).unwrap_or_else(|e| Failure::Decode(e).raise(what))
            }
            s => failure(s, data).raise(what),
        }
    }

    fn unlent(e: LendError, what: &'static str) -> T {
        Failure::Unlent(e).raise(what)
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
    /// Decodes the error message `{ value = 1; }` a Go server sent in a
    /// status's details (calls over gRPC). Only user types have one.
    fn decode_pb(_message: &[u8]) -> Result<Self, DecodeError> {
        Err(DecodeError::new(
            "the Go server sent an error value for an error type without one",
        ))
    }
    /// Converts a failure that is not an error value: a Go error of another
    /// type, a panic, a call after shutdown, a value that could not cross.
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

/// The reply of a method returning `Result<T, E>`: every failure is an `Err`.
pub struct Fallible<T, E>(PhantomData<fn() -> (T, E)>);

impl<T: Decode + Send + 'static, E: ErrorType> Reply for Fallible<T, E> {
    type Output = Result<T, E>;
    type Stored = Completion;

    fn store(status: u32, data: &[u8]) -> Completion {
        Value::<T>::store(status, data)
    }

    fn finish(c: Completion, what: &'static str) -> Result<T, E> {
        Self::finish_bytes(c.status, c.data.as_slice(), what)
    }

    fn finish_bytes(status: u32, data: &[u8], what: &'static str) -> Result<T, E> {
        let failed = match status {
            STATUS_OK => match decode_buffer(data, T::decode) {
                Ok(v) => return Ok(v),
                Err(e) => Failure::Decode(e),
            },
            STATUS_ERROR_VALUE => match decode_buffer(data, E::decode_value) {
                Ok(e) => return Err(e),
                Err(e) => Failure::Decode(e),
            },
            s => failure(s, data),
        };
        Err(E::from_go_error(failed.into_go_error(what)))
    }

    fn unlent(e: LendError, what: &'static str) -> Result<T, E> {
        Err(E::from_go_error(Failure::Unlent(e).into_go_error(what)))
    }
}

/// # Safety
/// `data` is null or valid for `len` bytes for the duration of the call.
pub(crate) unsafe fn bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: Go passes a live buffer of `len` bytes that it does not
        // touch until this callback returns.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

/// The slot of a sync call, on the caller's stack.
#[repr(C)]
struct SyncSlot {
    header: SlotHeader,
    status: Option<u32>,
    /// Go's bytes, in a buffer the thread reuses from call to call.
    data: Vec<u8>,
}

unsafe extern "C" fn complete_sync(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the header of the SyncSlot that the caller put on
    // its stack; Go calls this once, during the call, on the caller's thread.
    let slot = unsafe { &mut *(slot as *mut SyncSlot) };
    slot.status = Some(status);
    // SAFETY: Go passes a buffer valid for this callback.
    slot.data.extend_from_slice(unsafe { bytes(data, len) });
}

std::thread_local! {
    /// The buffer sync calls copy Go's bytes into, reused by this thread.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A buffer kept between calls is at most this large.
const SCRATCH_KEPT: usize = 64 << 10;

impl SyncSlot {
    fn new() -> Self {
        SyncSlot {
            header: SlotHeader::new(complete_sync),
            status: None,
            data: SCRATCH.take(),
        }
    }

    /// Gives the buffer back to the thread.
    fn recycle(mut self) {
        if self.data.capacity() <= SCRATCH_KEPT {
            self.data.clear();
            SCRATCH.set(std::mem::take(&mut self.data));
        }
    }
}

/// Makes a sync call whose result Go delivers through the slot. `lend`
/// lends the arguments; `call` receives them and the slot pointer and makes
/// the C call. The result is decoded here, after Go has returned.
pub fn call_sync<P: Reply, A>(
    what: &'static str,
    lend: impl FnOnce(&mut Keep) -> Result<A, LendError>,
    call: impl FnOnce(A, *mut c_void),
) -> P::Output {
    let mut keep = Keep::new();
    let args = match lend(&mut keep) {
        Ok(args) => args,
        Err(e) => return P::unlent(e, what),
    };
    let mut slot = SyncSlot::new();
    let blocked = crate::g2r::BlockedInGo::enter();
    call(args, &mut slot as *mut SyncSlot as *mut c_void);
    drop(blocked);
    drop(keep);
    let out = match slot.status {
        Some(status) => P::finish_bytes(status, &slot.data, what),
        None => panic!("r2go: Go returned from {what} without delivering a result"),
    };
    slot.recycle();
    out
}

/// Makes a sync call whose result (a scalar, or nothing) the C function
/// returns directly; the slot only carries a failure back (a panic, or a
/// call after shutdown), which panics here.
pub fn call_direct<R, A>(
    what: &'static str,
    lend: impl FnOnce(&mut Keep) -> Result<A, LendError>,
    call: impl FnOnce(A, *mut c_void) -> R,
) -> R {
    let mut keep = Keep::new();
    let args = match lend(&mut keep) {
        Ok(args) => args,
        Err(e) => Failure::Unlent(e).raise(what),
    };
    let mut slot = SyncSlot::new();
    let blocked = crate::g2r::BlockedInGo::enter();
    let r = call(args, &mut slot as *mut SyncSlot as *mut c_void);
    drop(blocked);
    drop(keep);
    match slot.status {
        None | Some(STATUS_OK) => {
            slot.recycle();
            r
        }
        Some(status) => failure(status, &slot.data).raise(what),
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

/// The slot of an async call, after its header `H` (a [`SlotHeader`], or
/// one that starts with it). `state` orders the two cells: Go writes
/// `value` before it sets COMPLETE, and the future reads it only after it
/// saw COMPLETE. The future writes `waker` only while it holds REGISTERING
/// and COMPLETE is unset; Go takes it only when it set COMPLETE while
/// REGISTERING was unset, after which the future never touches it again.
#[repr(C)]
pub(crate) struct AsyncSlot<D, H = SlotHeader> {
    pub(crate) header: H,
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
    value: UnsafeCell<Option<D>>,
}

// SAFETY: the cells are only accessed under the protocol described on the
// type, which gives each access exclusive use of its cell; D and Waker are Send.
unsafe impl<D: Send, H: Send> Send for AsyncSlot<D, H> {}
// SAFETY: as above.
unsafe impl<D: Send, H: Sync> Sync for AsyncSlot<D, H> {}

impl<D> AsyncSlot<D> {
    fn new(complete: CompleteFn) -> Self {
        Self::with_header(SlotHeader::new(complete))
    }
}

impl<D, H> AsyncSlot<D, H> {
    pub(crate) fn with_header(header: H) -> Self {
        LIVE_ASYNC.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        AsyncSlot {
            header,
            state: AtomicUsize::new(0),
            waker: UnsafeCell::new(None),
            value: UnsafeCell::new(None),
        }
    }

    /// Go's side: stores the result and wakes the future. Called once.
    pub(crate) fn deliver(&self, d: D) {
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
    pub(crate) fn poll_value(&self, waker: &Waker) -> Poll<Option<D>> {
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

    pub(crate) fn is_complete(&self) -> bool {
        self.state.load(Ordering::Acquire) & COMPLETE != 0
    }
}

impl<D, H> Drop for AsyncSlot<D, H> {
    fn drop(&mut self) {
        LIVE_ASYNC.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Completes an async call whose slot has the header `H` (the plain one, or
/// an upload's, which starts with it).
pub(crate) unsafe extern "C" fn complete_async<P: Reply, H>(
    slot: *mut SlotHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the pointer the call made with Arc::into_raw of an
    // AsyncSlot<P::Stored, H>; Go owns that one reference and completes
    // exactly once, so taking it back here is balanced.
    let slot = unsafe { Arc::from_raw(slot as *const AsyncSlot<P::Stored, H>) };
    // SAFETY: Go passes a buffer valid for this callback.
    slot.deliver(P::store(status, unsafe { bytes(data, len) }));
    // Dropping `slot` releases Go's reference; if the future is gone, this
    // frees the slot and Go's bytes with it, undecoded.
}

/// The future of an async call: resolves to the Go handler's result.
///
/// The Go handler starts when the call is made, not when the future is first
/// polled. Dropping the future before the result arrives cancels the
/// handler's `context.Context`; the result, if it still comes, is freed
/// without being decoded, so dropping at any point is safe, leaks nothing and
/// runs no code of the result's type. Polling after the result was returned
/// panics.
#[must_use = "the Go handler runs anyway; the future only delivers its result"]
pub struct AsyncCall<P: Reply> {
    what: &'static str,
    /// None when the arguments could not be lent and Go was never called.
    slot: Option<Arc<AsyncSlot<P::Stored>>>,
    /// Why the arguments could not be lent, until the first poll reports it.
    unlent: Option<LendError>,
    /// Whether the first poll has spun already.
    spun: bool,
}

/// How long the first poll of a call waits, spinning, for a quick result.
const SPIN: std::time::Duration = std::time::Duration::from_micros(20);

/// Spinning pays only when few calls are in flight: otherwise the thread has
/// other work, and results arrive while it does it.
const SPIN_MAX_IN_FLIGHT: usize = 2;

/// Whether spinning pays, learnt from recent spins: a spin answered within
/// its window saves the task's park and wake-up; one that is not (a handler
/// that takes longer) burns a core for nothing. After [`SpinPolicy::MISS_AFTER`]
/// unanswered spins in a row, only one first poll in
/// [`SpinPolicy::PROBE_EVERY`] spins, until one is answered again. The same
/// policy as Go's idle worker (rt/spin.go). Updated without a lock: a lost
/// update only nudges a heuristic.
struct SpinPolicy {
    misses: std::sync::atomic::AtomicU32,
    skips: std::sync::atomic::AtomicU32,
}

impl SpinPolicy {
    const MISS_AFTER: u32 = 4;
    const PROBE_EVERY: u32 = 32;

    const fn new() -> Self {
        SpinPolicy {
            misses: std::sync::atomic::AtomicU32::new(0),
            skips: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn should_spin(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.misses.load(Relaxed) < Self::MISS_AFTER
            || (self.skips.fetch_add(1, Relaxed) + 1) % Self::PROBE_EVERY == 0
    }

    /// Adds a spin's outcome: answered within its window or not.
    fn record(&self, answered: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        if answered {
            self.misses.store(0, Relaxed);
        } else if self.misses.load(Relaxed) < Self::MISS_AFTER {
            self.misses.fetch_add(1, Relaxed);
        }
    }
}

static FIRST_POLL_SPINS: SpinPolicy = SpinPolicy::new();

/// Spins for up to [`SPIN`] until `done`, when few calls are in flight and
/// recent spins paid. A handler that answers within microseconds then
/// completes the call without the task being parked and woken, which costs
/// more than the spin on small machines. (ADR 0006, ADR 0014.)
fn spin_until(done: impl Fn() -> bool) {
    if live_async_calls() > SPIN_MAX_IN_FLIGHT || !FIRST_POLL_SPINS.should_spin() {
        return;
    }
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if done() {
                FIRST_POLL_SPINS.record(true);
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            FIRST_POLL_SPINS.record(false);
            return;
        }
    }
}

/// Starts an async call: `lend` lends the arguments; `call` receives them
/// and Go's reference to a new slot and makes the C call, which copies the
/// arguments and starts the handler. When the arguments cannot be lent, Go
/// is not called and the future reports why.
pub fn call_async<P: Reply, A>(
    what: &'static str,
    lend: impl FnOnce(&mut Keep) -> Result<A, LendError>,
    call: impl FnOnce(A, *mut c_void),
) -> AsyncCall<P> {
    let mut keep = Keep::new();
    let args = match lend(&mut keep) {
        Ok(args) => args,
        Err(e) => {
            return AsyncCall {
                what,
                slot: None,
                unlent: Some(e),
                spun: true,
            }
        }
    };
    let mut slot = AsyncSlot::new(complete_async::<P, SlotHeader>);
    slot.header.set_in_flight(live_async_calls());
    let slot = Arc::new(slot);
    call(args, Arc::into_raw(slot.clone()) as *mut c_void);
    AsyncCall {
        what,
        slot: Some(slot),
        unlent: None,
        spun: false,
    }
}

impl<P: Reply> Drop for AsyncCall<P> {
    fn drop(&mut self) {
        let Some(slot) = &self.slot else { return };
        if slot.is_complete() {
            return;
        }
        slot.header.cancel_dropped(Arc::as_ptr(slot) as *mut c_void);
    }
}

impl<P: Reply> Future for AsyncCall<P> {
    type Output = P::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<P::Output> {
        let this = &mut *self;
        if let Some(e) = this.unlent.take() {
            return Poll::Ready(P::unlent(e, this.what));
        }
        let Some(slot) = &this.slot else {
            panic!("r2go: {} polled after it returned its result", this.what)
        };
        if !this.spun {
            this.spun = true;
            spin_until(|| slot.is_complete());
        }
        match slot.poll_value(cx.waker()) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(stored)) => {
                // Decoding (user code) runs last, with the slot let go: a
                // panic in it leaves nothing behind.
                this.slot = None;
                Poll::Ready(P::finish(stored, this.what))
            }
            Poll::Ready(None) => panic!("r2go: {} polled after it returned its result", this.what),
        }
    }
}

#[cfg(all(test, r2go_loom))]
mod loom_tests {
    //! The async slot's state machine under every interleaving loom finds of:
    //! Go delivering the result, the future polling, the future being
    //! dropped, and the cancellation it fires.

    use super::*;
    use loom::sync::atomic::{AtomicBool as LoomBool, AtomicUsize as LoomUsize};
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
        type Output = Arc<()>;
        type Stored = Arc<()>;
        fn store(_: u32, _: &[u8]) -> Arc<()> {
            unreachable!("the model delivers directly")
        }
        fn finish(d: Arc<()>, _: &'static str) -> Arc<()> {
            d
        }
        fn finish_bytes(_: u32, _: &[u8], _: &'static str) -> Arc<()> {
            unreachable!("the model has no sync calls")
        }
        fn unlent(_: LendError, _: &'static str) -> Arc<()> {
            unreachable!("the model lends nothing")
        }
    }

    /// A call whose Go side is a thread that delivers a clone of `tracker`
    /// once `go_ahead` holds.
    fn start_when(
        tracker: &Arc<()>,
        go_ahead: impl Fn() -> bool + Send + 'static,
    ) -> (AsyncCall<Tracked>, thread::JoinHandle<()>) {
        let slot: Arc<AsyncSlot<Arc<()>>> = Arc::new(AsyncSlot::new(never_called));
        // Go offers cancellation during the starting call, before Rust has
        // the future.
        slot.header
            .cancel
            .store(cancel as *const () as usize, Ordering::Release);
        let go = slot.clone();
        let value = tracker.clone();
        let handle = thread::spawn(move || {
            while !go_ahead() {
                thread::yield_now();
            }
            go.deliver(value)
        });
        (
            AsyncCall {
                what: "Loom::call",
                slot: Some(slot),
                unlent: None,
                // The spin only loads the state; the model need not see it.
                spun: true,
            },
            handle,
        )
    }

    /// A call whose Go side delivers at once, racing with the future.
    fn start(tracker: &Arc<()>) -> (AsyncCall<Tracked>, thread::JoinHandle<()>) {
        start_when(tracker, || true)
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
            let mut cx = Context::from_waker(crate::waker::noop_waker());
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
    fn drop_before_completion_cancels_exactly_once() {
        loom::model(|| {
            CANCELS.store(0, Ordering::SeqCst);
            let dropped = Arc::new(LoomBool::new(false));
            let seen = dropped.clone();
            let tracker = Arc::new(());
            // Go completes only after the future is gone: the call had not
            // completed when it was dropped, so it is cancelled, once.
            let (mut call, go) = start_when(&tracker, move || seen.load(Ordering::SeqCst));
            let mut cx = Context::from_waker(crate::waker::noop_waker());
            assert!(Pin::new(&mut call).poll(&mut cx).is_pending());
            drop(call);
            dropped.store(true, Ordering::SeqCst);
            go.join().unwrap();
            assert_eq!(CANCELS.load(Ordering::SeqCst), 1);
            assert_eq!(Arc::strong_count(&tracker), 1);
        });
    }

    /// Go offers cancellation only when the handler looks at its context,
    /// which may be before or after the future is dropped: either way the
    /// handler is cancelled exactly once (by Rust calling the offered
    /// function, or by Go finding the word marked).
    #[test]
    fn lazy_offer_races_with_drop() {
        loom::model(|| {
            CANCELS.store(0, Ordering::SeqCst);
            let tracker = Arc::new(());
            let slot: Arc<AsyncSlot<Arc<()>>> = Arc::new(AsyncSlot::new(never_called));
            let dropped = Arc::new(LoomBool::new(false));
            let (go, seen, value) = (slot.clone(), dropped.clone(), tracker.clone());
            let handle = thread::spawn(move || {
                let offered = go.header.cancel.compare_exchange(
                    0,
                    cancel as *const () as usize,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                if offered == Err(SLOT_CANCELLED) {
                    // Rust dropped the call first: Go cancels it itself.
                    CANCELS.fetch_add(1, Ordering::SeqCst);
                }
                // The handler returns once cancelled.
                while !seen.load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                go.deliver(value)
            });
            let call = AsyncCall::<Tracked> {
                what: "Loom::call",
                slot: Some(slot),
                unlent: None,
                spun: true,
            };
            drop(call);
            dropped.store(true, Ordering::SeqCst);
            handle.join().unwrap();
            assert_eq!(CANCELS.load(Ordering::SeqCst), 1);
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
}

#[cfg(all(test, not(r2go_loom)))]
mod tests {
    use super::{Bytes, SpinPolicy, INLINE};

    #[test]
    fn spin_policy_backs_off_from_unanswered_spins_and_probes() {
        let p = SpinPolicy::new();
        for _ in 0..SpinPolicy::MISS_AFTER - 1 {
            p.record(false);
            assert!(p.should_spin(), "stopped before MISS_AFTER misses in a row");
        }
        p.record(true);
        for _ in 0..SpinPolicy::MISS_AFTER - 1 {
            p.record(false);
        }
        assert!(p.should_spin(), "misses separated by an answer stopped it");
        p.record(false);
        let spins = (0..2 * SpinPolicy::PROBE_EVERY)
            .filter(|_| p.should_spin())
            .count();
        assert_eq!(spins, 2, "after MISS_AFTER misses only the probes spin");
        p.record(true);
        assert!(p.should_spin(), "an answered probe did not resume spinning");
    }

    #[test]
    fn completions_keep_go_bytes_inline_or_on_the_heap() {
        for n in [0, 1, 8, INLINE, INLINE + 1, 4096] {
            let data: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let b = Bytes::copy(&data);
            assert_eq!(b.as_slice(), &data[..], "{n} bytes");
            assert_eq!(matches!(b, Bytes::Inline { .. }), n <= INLINE, "{n} bytes");
        }
    }
}
