//! Streams: a Go handler sends items, Rust consumes them as a
//! [`futures_core::Stream`].
//!
//! A stream call hands Go a reference-counted slot, like an async call
//! (ADR 0002), whose header starts like every slot's: Go completes it exactly
//! once, with how the stream ended, and that releases Go's reference. Items
//! travel separately (ADR 0009): the Go handler's `Send` encodes each into a
//! bounded buffer in Go; when the consumer needs items it calls Go's `pull`
//! through the slot, and Go hands over every buffered item in one batch
//! through the slot's `take` callback, which only copies the bytes. When
//! there is none, Go remembers that Rust waits and calls the slot's `notify`
//! with the next item; completion wakes the consumer too. Decoding happens in
//! `poll_next`, on the consumer, never inside a callback from Go.
//!
//! The consumer's side is a waker cell shared with Go's `notify` and
//! `complete` (the state machine model-checked with loom below) plus the end
//! Go completed with; the batch cell is only touched by the consumer and by
//! `take` during the consumer's own `pull`.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::call::{ErrorType, Fallible, Reply, Value};
use crate::grpc::{Outcome, RemoteReply};
use crate::pb;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Arc, UnsafeCell};
use crate::waker::AtomicWaker;
use crate::wire::{Decode, DecodeError, Keep, LendError, Reader};

type CompleteFn =
    unsafe extern "C" fn(slot: *mut StreamHeader, status: u32, data: *const u8, len: usize);
type NotifyFn = unsafe extern "C" fn(slot: *mut StreamHeader);
type TakeFn = unsafe extern "C" fn(slot: *mut StreamHeader, data: *const u8, len: usize);
type GoFn = unsafe extern "C" fn(slot: *mut c_void);

/// The head of a stream slot, shared with the Go runtime (`r2go_stream` in
/// rt). Its first two fields are those of every slot, so Go refuses or fails
/// a stream call like any other: by completing it.
#[repr(C)]
struct StreamHeader {
    complete: CompleteFn,
    /// Set by Go, during the starting call, to the function Rust calls when it
    /// drops the stream; 0 until then and when the call was refused.
    cancel: AtomicUsize,
    notify: NotifyFn,
    take: TakeFn,
    /// Set by Go during the starting call: the function Rust calls for items.
    pull: AtomicUsize,
}

/// The Rust side of one stream, shared by the consumer and Go.
///
/// `waker` is woken by Go's `notify` and `complete`. `end` is written by Go
/// before it sets `complete` and read by the consumer after it saw it.
#[repr(C)]
struct StreamSlot {
    header: StreamHeader,
    waker: AtomicWaker,
    complete: AtomicBool,
    end: UnsafeCell<Option<(u32, Vec<u8>)>>,
    batch: UnsafeCell<Vec<u8>>,
    /// Counts Go's notifications and its completion, for the consumer's spin.
    events: std::sync::atomic::AtomicUsize,
}

// SAFETY: the cells are only accessed under the protocol described on the
// type, which gives each access exclusive use of its cell; Waker is Send.
unsafe impl Send for StreamSlot {}
// SAFETY: as above.
unsafe impl Sync for StreamSlot {}

static LIVE_STREAMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many streams are alive: not yet both ended by Go and dropped by Rust.
/// Go forgets a stream when Rust drops it, so zero also means that Go holds
/// none. Tests use it to prove that dropped streams leak nothing.
pub fn live_streams() -> usize {
    LIVE_STREAMS.load(std::sync::atomic::Ordering::SeqCst)
}

impl StreamSlot {
    fn new() -> Self {
        LIVE_STREAMS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        StreamSlot {
            header: StreamHeader {
                complete: complete_stream,
                cancel: AtomicUsize::new(0),
                notify: notify_stream,
                take: take_batch,
                pull: AtomicUsize::new(0),
            },
            waker: AtomicWaker::new(),
            complete: AtomicBool::new(false),
            end: UnsafeCell::new(None),
            batch: UnsafeCell::new(Vec::new()),
            events: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn is_complete(&self) -> bool {
        self.complete.load(Ordering::Acquire)
    }

    /// A function Go wrote into the header, if it has.
    fn go_fn(cell: &AtomicUsize) -> Option<GoFn> {
        match cell.load(Ordering::Acquire) {
            0 => None,
            // SAFETY: a non-zero value was written by Go's runtime during the
            // starting call and is the address of a C function `void (*)(void *)`.
            f => Some(unsafe { std::mem::transmute::<usize, GoFn>(f) }),
        }
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        LIVE_STREAMS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// # Safety
/// `data` is null or valid for `len` bytes for the duration of the call.
unsafe fn bytes<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: Go passes a live buffer of `len` bytes that it does not
        // touch until the callback returns.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

unsafe extern "C" fn complete_stream(
    slot: *mut StreamHeader,
    status: u32,
    data: *const u8,
    len: usize,
) {
    // SAFETY: `slot` is the pointer call_stream made with Arc::into_raw; Go
    // owns that one reference and completes exactly once, so taking it back
    // here is balanced.
    let slot = unsafe { Arc::from_raw(slot as *const StreamSlot) };
    // SAFETY: Go passes a buffer valid for this callback.
    let end = (status, unsafe { bytes(data, len) }.to_vec());
    // SAFETY: only Go writes `end`, once, before it sets `complete`; the
    // consumer does not read it until it sees `complete`.
    slot.end.with_mut(|e| unsafe { *e = Some(end) });
    slot.complete.store(true, Ordering::Release);
    slot.events
        .fetch_add(1, std::sync::atomic::Ordering::Release);
    slot.waker.wake();
    // Dropping `slot` releases Go's reference; if the consumer is gone, this
    // frees the slot.
}

unsafe extern "C" fn notify_stream(slot: *mut StreamHeader) {
    // SAFETY: Go notifies only while it holds its reference to the slot.
    let slot = unsafe { &*(slot as *const StreamSlot) };
    slot.events
        .fetch_add(1, std::sync::atomic::Ordering::Release);
    slot.waker.wake();
}

unsafe extern "C" fn take_batch(slot: *mut StreamHeader, data: *const u8, len: usize) {
    // SAFETY: Go calls take only inside a pull, which the consumer makes
    // while it holds its reference.
    let slot = unsafe { &*(slot as *const StreamSlot) };
    // SAFETY: Go passes a buffer valid for this callback.
    let data = unsafe { bytes(data, len) };
    // SAFETY: the batch cell belongs to the consumer, which is inside this
    // pull on this thread.
    slot.batch
        .with_mut(|b| unsafe { (*b).extend_from_slice(data) });
}

/// How a stream's items and its end are built from what Go sent: [`Items`]
/// for `impl Stream<Item = T>`, [`FallibleItems`] for `Item = Result<T, E>`.
pub trait StreamReply: 'static {
    /// What the stream yields.
    type Item: Send + 'static;

    /// Decodes one item of a batch.
    fn decode_item(r: &mut Reader<'_>) -> Result<Self::Item, DecodeError>;

    /// How the stream ends: a last item to yield (an `Err`), or none. Panics
    /// on the consumer for failures a plain stream cannot yield.
    fn end(status: u32, data: &[u8], what: &'static str) -> Option<Self::Item>;

    /// The only item of a stream whose arguments could not be lent (too
    /// deep, invalid): an `Err`, or a panic on the consumer.
    fn unlent(e: LendError, what: &'static str) -> Option<Self::Item>;

    /// Decodes one item message `{ value = 1; }` from a Go server.
    fn decode_remote(b: &[u8]) -> Result<Self::Item, DecodeError>;

    /// How a stream from a Go server ends, as [`end`](Self::end).
    fn end_remote(o: Outcome, what: &'static str) -> Option<Self::Item>;
}

/// The items of `impl Stream<Item = T>`: a Go error or panic panics `poll_next`.
pub struct Items<T>(PhantomData<fn() -> T>);

impl<T: Decode + pb::Decode + Send + 'static> StreamReply for Items<T> {
    type Item = T;

    fn decode_item(r: &mut Reader<'_>) -> Result<T, DecodeError> {
        T::decode(r)
    }

    fn end(status: u32, data: &[u8], what: &'static str) -> Option<T> {
        <Value<()> as Reply>::finish_bytes(status, data, what);
        None
    }

    fn unlent(e: LendError, what: &'static str) -> Option<T> {
        <Value<()> as Reply>::unlent(e, what);
        None
    }

    fn decode_remote(b: &[u8]) -> Result<T, DecodeError> {
        pb::decode_value::<T>(b)
    }

    fn end_remote(o: Outcome, what: &'static str) -> Option<T> {
        <Value<()> as RemoteReply>::finish_remote(o, what);
        None
    }
}

/// The items of `impl Stream<Item = Result<T, E>>`: a Go error or panic is a
/// last `Err` item.
pub struct FallibleItems<T, E>(PhantomData<fn() -> (T, E)>);

impl<T: Decode + pb::Decode + Send + 'static, E: ErrorType> StreamReply for FallibleItems<T, E> {
    type Item = Result<T, E>;

    fn decode_item(r: &mut Reader<'_>) -> Result<Result<T, E>, DecodeError> {
        T::decode(r).map(Ok)
    }

    fn end(status: u32, data: &[u8], what: &'static str) -> Option<Result<T, E>> {
        <Fallible<(), E> as Reply>::finish_bytes(status, data, what)
            .err()
            .map(Err)
    }

    fn unlent(e: LendError, what: &'static str) -> Option<Result<T, E>> {
        <Fallible<(), E> as Reply>::unlent(e, what).err().map(Err)
    }

    fn decode_remote(b: &[u8]) -> Result<Result<T, E>, DecodeError> {
        pb::decode_value::<T>(b).map(Ok)
    }

    fn end_remote(o: Outcome, what: &'static str) -> Option<Result<T, E>> {
        <Fallible<(), E> as RemoteReply>::finish_remote(o, what)
            .err()
            .map(Err)
    }
}

/// The stream of a Go stream handler's items.
///
/// The Go handler starts when the method is called, not at the first poll,
/// and runs ahead of the consumer by at most its buffer (`rt.StreamBuffer`
/// in Go). Dropping the stream at any point cancels the handler's
/// `context.Context`, makes its `Send` fail, and frees what is buffered on
/// both sides. The stream ends when the handler returns; an error or panic
/// of the handler is a last `Err` item for `Result` items and panics
/// `poll_next` otherwise, with the Go message; so does a shutdown of the Go
/// side while the stream is open. It is `Send`, `Unpin` and `'static`.
///
/// When the call went to a Go server ([`grpc`](crate::grpc)), the items
/// come from a gRPC server stream instead, which HTTP/2's flow control
/// holds back while the consumer does not read, and dropping the stream
/// resets it, which cancels the handler's context.
#[must_use = "the Go handler runs anyway; the stream only delivers its items"]
pub struct GoStream<P: StreamReply> {
    what: &'static str,
    slot: Arc<StreamSlot>,
    /// The last batch Go handed over, decoded one item per poll from `pos`:
    /// what the stream holds in Rust is bounded by Go's buffer in bytes.
    batch: Vec<u8>,
    pos: usize,
    reply: PhantomData<fn() -> P>,
    /// The end was taken: only `None` follows.
    done: bool,
    /// The arguments could not be lent: Go was never called, and this is
    /// the stream's only outcome.
    unlent: Option<LendError>,
    /// The items of a call on a Go server (gRPC); the slot is then unused.
    remote: Option<crate::grpc::RemoteItems>,
}

/// Starts a stream call: `lend` lends the arguments (which may fail, before
/// Go is called), then `call` receives them with Go's reference to a new
/// slot and makes the C call, which copies the arguments and starts the
/// handler.
pub fn call_stream<P: StreamReply, A>(
    what: &'static str,
    lend: impl FnOnce(&mut Keep) -> Result<A, LendError>,
    call: impl FnOnce(A, *mut c_void),
) -> GoStream<P> {
    let slot = Arc::new(StreamSlot::new());
    let mut keep = Keep::new();
    let unlent = match lend(&mut keep) {
        Ok(args) => {
            call(args, Arc::into_raw(slot.clone()) as *mut c_void);
            None
        }
        Err(e) => Some(e),
    };
    drop(keep);
    GoStream {
        what,
        slot,
        batch: Vec::new(),
        pos: 0,
        reply: PhantomData,
        done: false,
        unlent,
        remote: None,
    }
}

impl<P: StreamReply> GoStream<P> {
    fn without_slot(
        what: &'static str,
        unlent: Option<LendError>,
        remote: Option<crate::grpc::RemoteItems>,
    ) -> Self {
        GoStream {
            what,
            slot: Arc::new(StreamSlot::new()),
            batch: Vec::new(),
            pos: 0,
            reply: PhantomData,
            done: false,
            unlent,
            remote,
        }
    }

    /// A stream whose arguments could not be encoded for a Go server.
    pub(crate) fn unlent(what: &'static str, e: LendError) -> Self {
        Self::without_slot(what, Some(e), None)
    }

    /// The stream of a call on a Go server.
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub(crate) fn remote(what: &'static str, items: crate::grpc::RemoteItems) -> Self {
        Self::without_slot(what, None, Some(items))
    }

    /// Asks Go for the buffered items; false when Go had none.
    fn pull(&mut self) -> bool {
        let Some(pull) = StreamSlot::go_fn(&self.slot.header.pull) else {
            return false;
        };
        // The decoded batch's allocation receives the next one.
        let mut spare = std::mem::take(&mut self.batch);
        spare.clear();
        self.pos = 0;
        // SAFETY: no pull is in progress, so the batch cell is ours.
        self.slot.batch.with_mut(|b| unsafe { *b = spare });
        // SAFETY: Go's pull takes the slot's address, which is alive (we hold
        // a reference); it calls take on this thread before it returns.
        unsafe { pull(Arc::as_ptr(&self.slot) as *mut c_void) };
        // SAFETY: the pull has returned; the batch cell is ours again.
        self.batch = self
            .slot
            .batch
            .with_mut(|b| unsafe { std::mem::take(&mut *b) });
        !self.batch.is_empty()
    }

    /// Decodes the next item of the batch, if any is left.
    fn next_item(&mut self) -> Option<P::Item> {
        let rest = self.batch.get(self.pos..).filter(|r| !r.is_empty())?;
        let mut r = Reader::new(rest);
        match P::decode_item(&mut r) {
            Ok(v) => {
                self.pos = self.batch.len() - r.remaining();
                Some(v)
            }
            Err(e) => {
                self.done = true;
                self.pos = self.batch.len();
                panic!(
                    "r2go: an item of {} from Go cannot be decoded: {e}",
                    self.what
                );
            }
        }
    }

    /// The end Go completed the stream with.
    fn end(&mut self) -> Option<P::Item> {
        self.done = true;
        // SAFETY: `complete` was seen (Acquire), after Go wrote `end`; Go no
        // longer touches it and only this consumer reads it.
        let end = self.slot.end.with_mut(|e| unsafe { (*e).take() });
        let (status, data) = end.expect("r2go: a completed stream has its end");
        P::end(status, &data, self.what)
    }
}

/// How long a consumer that found no item waits, spinning, for Go's next
/// notification before it parks.
const SPIN: std::time::Duration = std::time::Duration::from_micros(20);

/// Spinning pays only with few streams alive: otherwise the thread has other
/// streams to serve meanwhile.
const SPIN_MAX_STREAMS: usize = 2;

/// Whether Go notified or completed (`events` moved past `seen`) within
/// [`SPIN`]. Never under loom, whose model counts a spin as no progress.
fn spin_for_event(slot: &StreamSlot, seen: usize) -> bool {
    if cfg!(r2go_loom) || live_streams() > SPIN_MAX_STREAMS {
        return false;
    }
    let moved = || slot.events.load(std::sync::atomic::Ordering::Acquire) != seen;
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            if moved() {
                return true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return false;
        }
    }
}

impl<P: StreamReply> Unpin for GoStream<P> {}

impl<P: StreamReply> futures_core::Stream for GoStream<P> {
    type Item = P::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<P::Item>> {
        let this = &mut *self;
        if let Some(e) = this.unlent.take() {
            this.done = true;
            return Poll::Ready(P::unlent(e, this.what));
        }
        if this.remote.is_some() {
            return this.poll_remote(cx);
        }
        loop {
            if let Some(v) = this.next_item() {
                return Poll::Ready(Some(v));
            }
            if this.done {
                return Poll::Ready(None);
            }
            // Once complete, Go sends no more items: one more pull drains
            // what it buffered, then the end follows.
            let complete = this.slot.is_complete();
            if !complete {
                this.slot.waker.register(cx.waker());
            }
            let events = this.slot.events.load(std::sync::atomic::Ordering::Acquire);
            if this.pull() {
                continue;
            }
            if complete {
                return Poll::Ready(this.end());
            }
            // Go may have completed after the check above but before the
            // waker was stored, and then found none to wake.
            if this.slot.is_complete() {
                continue;
            }
            // Go will notify with the next item, or complete. A producer
            // that keeps up usually does so within microseconds: waiting
            // for that here costs less than parking the task and being
            // woken (ADR 0006's reasoning, ADR 0009).
            if spin_for_event(&this.slot, events) {
                continue;
            }
            return Poll::Pending;
        }
    }
}

impl<P: StreamReply> GoStream<P> {
    /// The next item or the end of a call on a Go server.
    fn poll_remote(&mut self, cx: &mut Context<'_>) -> Poll<Option<P::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let remote = self.remote.as_mut().expect("a remote stream");
        let next = std::task::ready!(remote.poll_next(cx));
        match next {
            crate::grpc::Next::Item(b) => match P::decode_remote(&b) {
                Ok(v) => Poll::Ready(Some(v)),
                Err(e) => {
                    self.done = true;
                    panic!(
                        "r2go: an item of {} from the Go server cannot be decoded: {e}",
                        self.what
                    );
                }
            },
            crate::grpc::Next::End(o) => {
                self.done = true;
                // Dropping the items ends the call's task at once.
                self.remote = None;
                Poll::Ready(P::end_remote(o, self.what))
            }
        }
    }
}

impl<P: StreamReply> futures_core::FusedStream for GoStream<P> {
    fn is_terminated(&self) -> bool {
        self.done && self.pos >= self.batch.len()
    }
}

impl<P: StreamReply> Drop for GoStream<P> {
    fn drop(&mut self) {
        if let Some(cancel) = StreamSlot::go_fn(&self.slot.header.cancel) {
            // SAFETY: Go only looks the slot up by address; it is alive (we
            // hold a reference), so the address is not reused meanwhile.
            unsafe { cancel(Arc::as_ptr(&self.slot) as *mut c_void) };
        }
    }
}

#[cfg(all(test, not(r2go_loom)))]
mod tests {
    //! Decoding a batch, with Go's pull played by a function that hands over
    //! one fixed batch.

    use super::*;

    /// Two `String` items, "ab" and one that is not UTF-8, then "cd".
    fn batch() -> Vec<u8> {
        let mut b = Vec::new();
        for item in [&b"ab"[..], &[0xff][..], &b"cd"[..]] {
            b.extend_from_slice(&(item.len() as u64).to_ne_bytes());
            b.extend_from_slice(item);
        }
        b
    }

    unsafe extern "C" fn pull(slot: *mut c_void) {
        let b = batch();
        let header = slot as *mut StreamHeader;
        // SAFETY: the consumer holds the slot during its pull.
        unsafe { ((*header).take)(header, b.as_ptr(), b.len()) };
    }

    #[test]
    fn items_before_one_that_cannot_be_decoded_arrive_then_it_panics() {
        let slot = Arc::new(StreamSlot::new());
        slot.header
            .pull
            .store(pull as *const () as usize, Ordering::Release);
        let mut s: GoStream<Items<String>> = GoStream {
            what: "Test::strings",
            slot,
            batch: Vec::new(),
            pos: 0,
            reply: PhantomData,
            done: false,
            unlent: None,
            remote: None,
        };
        // A waker that does nothing (Waker::noop is newer than the crate's
        // minimum Rust).
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
        let mut cx = Context::from_waker(&waker);
        let first = futures_core::Stream::poll_next(Pin::new(&mut s), &mut cx);
        assert_eq!(first, Poll::Ready(Some("ab".to_string())));
        let second = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures_core::Stream::poll_next(Pin::new(&mut s), &mut cx)
        }))
        .expect_err("an item that is not UTF-8 panics");
        assert_eq!(
            second.downcast_ref::<String>().map(String::as_str),
            Some(
                "r2go: an item of Test::strings from Go cannot be decoded: \
                 Go string is not valid UTF-8 (invalid byte at offset 0)"
            )
        );
        // The stream is over: nothing after the broken item is yielded.
        assert!(futures_core::FusedStream::is_terminated(&s));
    }
}

#[cfg(all(test, r2go_loom))]
mod loom_tests {
    //! The stream's state machine under every interleaving loom finds of: Go
    //! sending items (notifying a consumer that waits), Go ending the stream,
    //! the consumer polling and pulling batches, and the consumer dropping
    //! the stream at any point. Go's side is modelled as rt/stream.go does
    //! it: a buffer under a lock, a flag for a consumer that waits, and one
    //! completion at the end.

    use super::*;
    use loom::sync::Mutex;
    use loom::thread;
    use std::task::Waker;

    /// Go's side of the stream.
    #[derive(Default)]
    struct Go {
        buf: Vec<u8>,
        rust_waiting: bool,
        closed: bool,
        cancels: usize,
    }

    loom::lazy_static! {
        static ref GO: Mutex<Go> = Mutex::new(Go::default());
    }

    unsafe extern "C" fn pull(slot: *mut c_void) {
        let batch = {
            let mut go = GO.lock().unwrap();
            if go.buf.is_empty() {
                go.rust_waiting = !go.closed;
                return;
            }
            std::mem::take(&mut go.buf)
        };
        let header = slot as *mut StreamHeader;
        // SAFETY: the consumer holds the slot during its pull.
        unsafe { ((*header).take)(header, batch.as_ptr(), batch.len()) };
    }

    unsafe extern "C" fn cancel(_: *mut c_void) {
        let mut go = GO.lock().unwrap();
        go.closed = true;
        go.buf.clear();
        go.rust_waiting = false;
        go.cancels += 1;
    }

    /// Go's reference to the slot, moved to the producer thread.
    struct GoRef(*mut StreamHeader);
    // SAFETY: Go's reference is used by one thread at a time, like Go's.
    unsafe impl Send for GoRef {}

    /// Go's handler: sends `items` (until the stream is closed), then ends
    /// the stream with `status` and `data`.
    fn produce(slot: GoRef, items: u32, status: u32, data: &'static [u8]) {
        for i in 0..items {
            let notify = {
                let mut go = GO.lock().unwrap();
                if go.closed {
                    break;
                }
                go.buf.extend_from_slice(&i.to_ne_bytes());
                std::mem::replace(&mut go.rust_waiting, false)
            };
            if notify {
                // SAFETY: Go holds its reference until it completes.
                unsafe { ((*slot.0).notify)(slot.0) };
            }
        }
        GO.lock().unwrap().closed = true;
        // SAFETY: Go completes once, releasing its reference.
        unsafe { ((*slot.0).complete)(slot.0, status, data.as_ptr(), data.len()) };
    }

    type Reply = FallibleItems<u32, String>;

    /// Explores every interleaving with at most this many preemptions: with
    /// no bound, two items and a lock are hours of states. Four already
    /// find the lost wake-up that `poll_next` guards against by checking
    /// completion again after it stored its waker (remove that check and
    /// `items_and_end_race_with_polling` deadlocks); five is the margin.
    const PREEMPTIONS: usize = 5;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut b = loom::model::Builder::new();
        b.preemption_bound = Some(PREEMPTIONS);
        b.check(f);
    }

    /// A started stream, its producer, and a reference that observes when
    /// both sides have released the slot.
    fn start(
        items: u32,
        status: u32,
        data: &'static [u8],
    ) -> (GoStream<Reply>, thread::JoinHandle<()>, Arc<StreamSlot>) {
        let slot = Arc::new(StreamSlot::new());
        // Go's starting call offers pull and cancel before Rust has the stream.
        slot.header
            .pull
            .store(pull as *const () as usize, Ordering::Release);
        slot.header
            .cancel
            .store(cancel as *const () as usize, Ordering::Release);
        let go = GoRef(Arc::into_raw(slot.clone()) as *mut StreamHeader);
        let producer = thread::spawn(move || produce(go, items, status, data));
        let observer = slot.clone();
        let stream = GoStream {
            what: "Loom::stream",
            slot,
            batch: Vec::new(),
            pos: 0,
            reply: PhantomData,
            done: false,
            unlent: None,
            remote: None,
        };
        (stream, producer, observer)
    }

    fn poll_next(s: &mut GoStream<Reply>) -> Poll<Option<Result<u32, String>>> {
        let mut cx = Context::from_waker(crate::waker::noop_waker());
        futures_core::Stream::poll_next(Pin::new(s), &mut cx)
    }

    /// Collects the whole stream, parking while it is pending.
    fn collect(mut s: GoStream<Reply>) -> Vec<Result<u32, String>> {
        loom::future::block_on(async move {
            let mut out = Vec::new();
            while let Some(v) =
                std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut s), cx))
                    .await
            {
                out.push(v);
            }
            out
        })
    }

    #[test]
    fn items_and_end_race_with_polling() {
        model(|| {
            let (stream, producer, observer) = start(2, 0, b"");
            assert_eq!(collect(stream), [Ok(0), Ok(1)]);
            producer.join().unwrap();
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
            assert_eq!(GO.lock().unwrap().cancels, 1);
        });
    }

    #[test]
    fn an_error_end_follows_every_item() {
        model(|| {
            // STATUS_ERROR: the handler returned an error, with this text.
            let (stream, producer, observer) = start(2, 2, b"boom");
            let got = collect(stream);
            producer.join().unwrap();
            // A returned error displays as Go's text alone.
            assert_eq!(got, [Ok(0), Ok(1), Err("boom".to_string())]);
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
        });
    }

    #[test]
    fn drop_after_one_poll_races_with_the_producer() {
        model(|| {
            let (mut stream, producer, observer) = start(2, 0, b"");
            let first = poll_next(&mut stream);
            if let Poll::Ready(v) = &first {
                assert_eq!(v, &Some(Ok(0)));
            }
            drop(stream);
            producer.join().unwrap();
            // Cancelled once; nothing buffered is left on either side.
            let go = GO.lock().unwrap();
            assert_eq!(go.cancels, 1);
            assert!(go.buf.is_empty());
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
        });
    }

    #[test]
    fn drop_without_polling_races_with_the_producer() {
        model(|| {
            let (stream, producer, observer) = start(1, 0, b"");
            drop(stream);
            producer.join().unwrap();
            assert_eq!(GO.lock().unwrap().cancels, 1);
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
        });
    }
}
