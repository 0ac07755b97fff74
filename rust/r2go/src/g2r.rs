//! Calls from Go to Rust: `#[g2r]` traits, implemented in Rust and called by
//! Go's generated client.
//!
//! The two codecs of Rust-to-Go calls, used the other way round (ADR 0011):
//! Go encodes the arguments into a buffer of its own that Rust [`Decode`]s
//! during the call; Rust lends the result with [`ToRef`] and Go copies it:
//! for sync calls from a [`SyncReply`] Rust writes into Go's buffer, for
//! async calls during Go's completion export (`r2go1_rt_g2r_complete`).
//!
//! Registration installs a table of `extern "C"` functions in Go (Go reaches
//! them by pointer, never by name). Sync methods run on the calling Go
//! thread. Async methods decode their arguments and poll the future once on
//! that thread; a future not ready then is spawned on the registered tokio
//! runtime, the task completes the call, and Go aborts it when the caller's
//! context ends (ADR 0012).

use std::ffi::c_void;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::task::AbortHandle;

use crate::abi::{
    r2go1_rt_g2r_complete, G2R_REPLY_DATA_OFFSET, G2R_REPLY_FREE_OFFSET, G2R_REPLY_HOLDER_OFFSET,
    G2R_REPLY_INLINE_OFFSET, G2R_REPLY_LEN_OFFSET, G2R_REPLY_SIZE, G2R_REPLY_STATUS_OFFSET,
    STATUS_ERROR, STATUS_ERROR_VALUE, STATUS_INVALID, STATUS_OK, STATUS_PANIC, STATUS_SHUTDOWN,
};
use crate::wire::{decode_buffer, DecodeError, Keep, Reader, ToRef};

/// A sync method as Go calls it: the registration, the encoded arguments
/// and where to write the reply.
pub type SyncFn =
    extern "C" fn(host: *const c_void, args: *const u8, len: usize, reply: *mut SyncReply);

/// The reply of a sync call, which Rust writes into Go's argument buffer
/// before returning: the status, the lent result (or message bytes), and
/// the holder that keeps it alive until Go, having copied it, calls `free`.
#[repr(C)]
pub struct SyncReply {
    status: u32,
    data: *const u8,
    len: usize,
    holder: *mut c_void,
    free: Option<extern "C" fn(*mut c_void)>,
    inline: u64,
}

// The reply as the contract (rt/abi) lays it out.
const _: () = {
    assert!(std::mem::offset_of!(SyncReply, status) == G2R_REPLY_STATUS_OFFSET);
    assert!(std::mem::offset_of!(SyncReply, data) == G2R_REPLY_DATA_OFFSET);
    assert!(std::mem::offset_of!(SyncReply, len) == G2R_REPLY_LEN_OFFSET);
    assert!(std::mem::offset_of!(SyncReply, holder) == G2R_REPLY_HOLDER_OFFSET);
    assert!(std::mem::offset_of!(SyncReply, free) == G2R_REPLY_FREE_OFFSET);
    assert!(std::mem::offset_of!(SyncReply, inline) == G2R_REPLY_INLINE_OFFSET);
    assert!(std::mem::size_of::<SyncReply>() == G2R_REPLY_SIZE);
};

/// A result lent to Go: the value, what its borrowed form needs, and the
/// borrowed form itself, in one allocation that does not move.
struct Lent<V: ToRef> {
    value: V,
    keep: Keep,
    r: Option<V::Ref>,
}

/// Frees a reply's holder once Go has copied what it lends.
extern "C" fn free_holder<H>(holder: *mut c_void) {
    // SAFETY: `holder` is the `Box<H>` a reply leaked, which Go frees once.
    let h = unsafe { Box::from_raw(holder.cast::<H>()) };
    // Dropping runs user code (Drop) on Go's thread: it must not unwind into Go.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(h)));
}

impl SyncReply {
    fn text(&mut self, status: u32, msg: String) {
        let h = Box::new(msg);
        self.status = status;
        self.data = h.as_ptr();
        self.len = h.len();
        self.holder = Box::into_raw(h).cast();
        self.free = Some(free_holder::<String>);
    }

    fn lent<V: ToRef + Sync + 'static>(&mut self, status: u32, method: &str, value: V) {
        if V::SELF_CONTAINED && std::mem::size_of::<V::Ref>() <= std::mem::size_of::<u64>() {
            // A scalar: copied into the reply, nothing to keep or free.
            if let Ok(r) = value.to_ref(&mut Keep::new()) {
                let inline: *mut u64 = &mut self.inline;
                // SAFETY: the reply has room for a `V::Ref` of at most 8 bytes,
                // aligned to 8, at `inline`.
                unsafe { inline.cast::<V::Ref>().write(r) };
                self.status = status;
                self.data = inline.cast_const().cast();
                self.len = 0;
                self.holder = std::ptr::null_mut();
                self.free = None;
                return;
            }
        }
        let mut h = Box::new(Lent {
            value,
            keep: Keep::new(),
            r: None,
        });
        let l = &mut *h;
        match l.keep.arg("result", &l.value) {
            Ok(r) => {
                let r: *const V::Ref = l.r.insert(r);
                self.status = status;
                self.data = r.cast();
                self.len = 0;
                self.holder = Box::into_raw(h).cast();
                self.free = Some(free_holder::<Lent<V>>);
            }
            Err(e) => self.text(
                STATUS_INVALID,
                format!("the result of {method} cannot be lent to Go: {e}"),
            ),
        }
    }

    fn deliver<T: ToRef + Sync + 'static, E: ToRef + Sync + 'static>(
        &mut self,
        method: &str,
        out: std::thread::Result<G2rReply<T, E>>,
    ) {
        match out {
            Ok(G2rReply::Value(v)) => self.lent(STATUS_OK, method, v),
            Ok(G2rReply::Error(e)) => self.lent(STATUS_ERROR_VALUE, method, e),
            Ok(G2rReply::Text(t)) => self.text(STATUS_ERROR, t),
            Err(p) => self.text(STATUS_PANIC, panic_text(&*p)),
        }
    }
}

/// An async method as Go calls it; it returns the task, which Go releases
/// with [`release`] (aborting it when its context ended first), or null when
/// it completed the call at once.
pub type AsyncFn =
    extern "C" fn(host: *const c_void, args: *const u8, len: usize, call: u64) -> *mut c_void;

/// A registration, passed back by Go on every call. Each registration lives
/// for the rest of the process: calls in flight may still use the one a new
/// registration replaced.
pub struct Host {
    handle: Option<Handle>,
    current_thread: bool,
    /// Set when the runtime shuts down (its tasks are dropped): a task
    /// spawned then would never run, nor be dropped while Go holds it.
    shut_down: AtomicBool,
}

/// Sets its host's `shut_down` when dropped: held by a task that never
/// ends, so only the runtime's shutdown drops it.
struct ShutdownSentinel(&'static Host);

impl Drop for ShutdownSentinel {
    fn drop(&mut self) {
        self.0.shut_down.store(true, Ordering::SeqCst);
    }
}

/// Why an implementation could not be registered.
#[derive(Debug, Clone)]
pub struct RegisterError {
    trait_name: &'static str,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "r2go: trait {} has async methods, which run on a tokio runtime, and no runtime is current: register from inside a runtime, or with register_on and a runtime handle",
            self.trait_name
        )
    }
}

impl std::error::Error for RegisterError {}

/// The runtime current on this thread, if any: async methods run there
/// unless the implementation is registered with another.
pub fn current_handle() -> Option<Handle> {
    Handle::try_current().ok()
}

/// Set once a trait with async methods is registered on a current-thread
/// runtime: only then do sync calls to Go count themselves in
/// [`BLOCKED_CURRENT_THREAD`].
static CURRENT_THREAD_HOSTS: AtomicBool = AtomicBool::new(false);

/// Sync calls to Go in flight from inside a current-thread runtime, whose
/// thread therefore cannot run an async `#[g2r]` method until they return.
static BLOCKED_CURRENT_THREAD: AtomicUsize = AtomicUsize::new(0);

/// Counts a sync call to Go made from inside a current-thread runtime, for
/// as long as it lives.
pub(crate) struct BlockedInGo(bool);

impl BlockedInGo {
    pub(crate) fn enter() -> Self {
        let blocked = CURRENT_THREAD_HOSTS.load(Ordering::Relaxed)
            && Handle::try_current()
                .is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::CurrentThread);
        if blocked {
            BLOCKED_CURRENT_THREAD.fetch_add(1, Ordering::SeqCst);
        }
        BlockedInGo(blocked)
    }
}

impl Drop for BlockedInGo {
    fn drop(&mut self) {
        if self.0 {
            BLOCKED_CURRENT_THREAD.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Registers the functions of a `#[g2r]` trait with Go: `fns` holds one
/// [`SyncFn`] or [`AsyncFn`] per method, in order; `install` passes the
/// registration and the table to the trait's Go export, which copies it.
pub fn register(
    trait_name: &'static str,
    has_async: bool,
    handle: Option<Handle>,
    fns: &[*const c_void],
    install: impl FnOnce(*const c_void, *const *const c_void, usize),
) -> Result<(), RegisterError> {
    if has_async && handle.is_none() {
        return Err(RegisterError { trait_name });
    }
    let current_thread = handle
        .as_ref()
        .is_some_and(|h| h.runtime_flavor() == RuntimeFlavor::CurrentThread);
    if has_async && current_thread {
        CURRENT_THREAD_HOSTS.store(true, Ordering::SeqCst);
    }
    let host: &'static Host = Box::leak(Box::new(Host {
        handle,
        current_thread,
        shut_down: AtomicBool::new(false),
    }));
    if let Some(h) = &host.handle {
        let sentinel = ShutdownSentinel(host);
        h.spawn(async move {
            let _sentinel = sentinel;
            std::future::pending::<()>().await
        });
    }
    let mut table = Vec::with_capacity(fns.len() + 1);
    table.push(release as extern "C" fn(*mut c_void, u32) as *const c_void);
    table.extend_from_slice(fns);
    install(
        host as *const Host as *const c_void,
        table.as_ptr(),
        table.len(),
    );
    Ok(())
}

/// Frees an async call's task handle; with `abort`, drops its future first
/// (Go's context ended before the result came).
extern "C" fn release(task: *mut c_void, abort: u32) {
    // SAFETY: Go passes each task pointer serve_async returned exactly once.
    let task = unsafe { Box::from_raw(task.cast::<AbortHandle>()) };
    if abort != 0 {
        task.abort();
    }
}

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many calls from Go to Rust are running: sync methods, and async
/// methods whose future has not ended or been dropped. Tests use it to prove
/// that cancelled calls leave nothing behind.
pub fn live_g2r_calls() -> usize {
    LIVE.load(Ordering::SeqCst)
}

struct Live;

impl Live {
    fn new() -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Live
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a method returned, as Go receives it.
pub enum G2rReply<T, E> {
    /// The result, lent to Go.
    Value(T),
    /// The Err of a Result whose error type is a struct or an enum, lent.
    Error(E),
    /// The Err of a Result whose error type is text (String, GoError).
    Text(String),
}

impl<T> G2rReply<T, ()> {
    /// The reply of a method that cannot fail.
    pub fn value(v: T) -> Self {
        G2rReply::Value(v)
    }

    /// The reply of a method whose error Go receives as its text.
    pub fn text<E: fmt::Display>(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => G2rReply::Value(v),
            Err(e) => G2rReply::Text(e.to_string()),
        }
    }
}

impl<T, E> G2rReply<T, E> {
    /// The reply of a method whose error Go receives as a value.
    pub fn result(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => G2rReply::Value(v),
            Err(e) => G2rReply::Error(e),
        }
    }
}

/// Completes call `call` with a message.
fn complete_text(call: u64, status: u32, msg: &str) {
    // SAFETY: Go copies the message before returning; `call` is the id Go
    // passed for this call, completed once.
    unsafe { r2go1_rt_g2r_complete(call, status, msg.as_ptr().cast(), msg.len()) }
}

/// Lends `v` to Go's completion of `call`.
fn complete_lent<V: ToRef + Sync>(call: u64, status: u32, method: &str, v: &V) {
    let mut keep = Keep::new();
    match keep.arg("result", v) {
        Ok(r) => {
            // SAFETY: `r` and what it points into (`v`, `keep`) live until Go,
            // which copies the value before returning, has returned.
            unsafe { r2go1_rt_g2r_complete(call, status, (&r as *const V::Ref).cast(), 0) }
        }
        Err(e) => complete_text(
            call,
            STATUS_INVALID,
            &format!("the result of {method} cannot be lent to Go: {e}"),
        ),
    }
}

fn deliver<T: ToRef + Sync, E: ToRef + Sync>(
    call: u64,
    method: &str,
    out: std::thread::Result<G2rReply<T, E>>,
) {
    match out {
        Ok(G2rReply::Value(v)) => complete_lent(call, STATUS_OK, method, &v),
        Ok(G2rReply::Error(e)) => complete_lent(call, STATUS_ERROR_VALUE, method, &e),
        Ok(G2rReply::Text(t)) => complete_text(call, STATUS_ERROR, &t),
        Err(p) => complete_text(call, STATUS_PANIC, &panic_text(&*p)),
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The encoded arguments Go lends for the duration of the call.
fn args<'a>(args: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: Go passes a buffer of `len` bytes that stays valid and unchanged
    // until this call returns; nothing decoded borrows from it.
    unsafe { std::slice::from_raw_parts(args, len) }
}

fn decode_args<A: Send>(
    call: u64,
    method: &str,
    buf: &[u8],
    decode: impl Fn(&mut Reader<'_>) -> Result<A, DecodeError> + Sync,
) -> Option<A> {
    match decode_buffer(buf, decode) {
        Ok(a) => Some(a),
        Err(e) => {
            let msg = format!("the arguments of {method} from Go cannot be decoded: {e}");
            complete_text(call, STATUS_INVALID, &msg);
            None
        }
    }
}

/// Serves a sync method: decodes the arguments, runs `run` on this (Go's)
/// thread, inside the registered runtime's context when there is one, and
/// writes its reply (or its panic) into `reply`.
///
/// # Safety
///
/// `host` is a registration Go was given, `buf` holds `len` bytes, and
/// `reply` is valid for writes, all for the duration of the call.
pub unsafe fn serve_sync<A: Send, T: ToRef + Sync + 'static, E: ToRef + Sync + 'static>(
    host: *const c_void,
    buf: *const u8,
    len: usize,
    reply: *mut SyncReply,
    method: &'static str,
    decode: impl Fn(&mut Reader<'_>) -> Result<A, DecodeError> + Sync,
    run: impl FnOnce(A) -> G2rReply<T, E>,
) {
    // SAFETY: Go passes back the registration `register` leaked, and a reply
    // in its own buffer that nothing else touches during the call.
    let (host, reply) = unsafe { (&*host.cast::<Host>(), &mut *reply) };
    let _live = Live::new();
    let a = match decode_buffer(args(buf, len), decode) {
        Ok(a) => a,
        Err(e) => {
            let msg = format!("the arguments of {method} from Go cannot be decoded: {e}");
            return reply.text(STATUS_INVALID, msg);
        }
    };
    let _rt = host.handle.as_ref().map(Handle::enter);
    let out = catch_unwind(AssertUnwindSafe(|| run(a)));
    // A reply that fails to be lent is dropped here, running user code
    // (Drop), which must not unwind into Go; Go reports a missing reply.
    let _ = catch_unwind(AssertUnwindSafe(|| reply.deliver(method, out)));
}

/// Serves an async method: decodes the arguments on Go's thread and polls
/// the future `run` makes once there; a future that is not ready is spawned
/// on the registered runtime, and the task, which completes the call, is
/// returned for Go to release (null when the call is complete already).
///
/// # Safety
///
/// `host` is a registration Go was given and `buf` holds `len` bytes, for
/// the duration of the call.
pub unsafe fn serve_async<A: Send, T, E, F>(
    host: *const c_void,
    buf: *const u8,
    len: usize,
    call: u64,
    method: &'static str,
    decode: impl Fn(&mut Reader<'_>) -> Result<A, DecodeError> + Sync,
    run: impl FnOnce(A) -> F,
) -> *mut c_void
where
    T: ToRef + Sync + 'static,
    E: ToRef + Sync + 'static,
    F: Future<Output = G2rReply<T, E>> + Send + 'static,
{
    // SAFETY: Go passes back the registration `register` leaked.
    let host = unsafe { &*host.cast::<Host>() };
    let Some(handle) = host.handle.as_ref() else {
        complete_text(
            call,
            STATUS_SHUTDOWN,
            "r2go: no tokio runtime is registered",
        );
        return std::ptr::null_mut();
    };
    if host.current_thread && BLOCKED_CURRENT_THREAD.load(Ordering::SeqCst) > 0 {
        let msg = format!(
            "r2go: {method} cannot run: it was registered on a current-thread tokio runtime, whose only thread is blocked in a sync call to Go; register it on a multi-thread runtime, or make the method Rust calls in Go async"
        );
        complete_text(call, STATUS_SHUTDOWN, &msg);
        return std::ptr::null_mut();
    }
    let live = Live::new();
    let Some(a) = decode_args(call, method, args(buf, len), decode) else {
        return std::ptr::null_mut();
    };
    let _rt = handle.enter();
    let fut = match catch_unwind(AssertUnwindSafe(|| run(a))) {
        Ok(f) => f,
        Err(p) => {
            complete_text(call, STATUS_PANIC, &panic_text(&*p));
            return std::ptr::null_mut();
        }
    };
    // The first poll runs here, on Go's thread: a future that is ready at
    // once (a cache hit) completes without waking a tokio worker or a
    // goroutine. One that is not is spawned, and the runtime polls it again,
    // so the no-op waker of this poll loses nothing.
    let mut fut = CatchUnwind(Box::pin(fut));
    if let Poll::Ready(out) =
        Pin::new(&mut fut).poll(&mut Context::from_waker(crate::waker::noop_waker()))
    {
        let _ = catch_unwind(AssertUnwindSafe(|| deliver(call, method, out)));
        drop(live);
        return std::ptr::null_mut();
    }
    const GONE: &str = "r2go: the tokio runtime the implementation was registered on has shut down";
    if host.shut_down.load(Ordering::SeqCst) {
        complete_text(call, STATUS_SHUTDOWN, GONE);
        return std::ptr::null_mut();
    }
    let task = handle.spawn(async move {
        let _live = live;
        let mut undelivered = Undelivered(Some(call));
        let out = fut.await;
        // Should dropping the reply panic after Go copied it, the guard's
        // second completion is one Go ignores.
        deliver(call, method, out);
        undelivered.0 = None;
    });
    if host.shut_down.load(Ordering::SeqCst) {
        // The runtime shut down meanwhile and may never run the task: Go
        // stops waiting now and ignores a completion that comes later.
        complete_text(call, STATUS_SHUTDOWN, GONE);
    }
    Box::into_raw(Box::new(task.abort_handle())).cast()
}

/// Completes a call whose future is dropped before it ends: when Go aborted
/// it, Go no longer waits and ignores this; when the runtime shut down (or
/// the task was dropped otherwise), Go would wait forever without it.
struct Undelivered(Option<u64>);

impl Drop for Undelivered {
    fn drop(&mut self) {
        if let Some(call) = self.0 {
            complete_text(
                call,
                STATUS_SHUTDOWN,
                "r2go: the tokio runtime dropped the future before it ended (was it shut down?)",
            );
        }
    }
}

/// A future that turns a panic while polling into an `Err`.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(p) => Poll::Ready(Err(p)),
        }
    }
}
