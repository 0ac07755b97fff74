//! Uploads: an async call whose Go handler reads a Rust stream.
//!
//! The call is an async call (ADR 0002) whose slot header goes on after the
//! slot's own two fields: `want`, Rust's, which Go calls to ask for more
//! items, and `feed`, Go's, written during the starting call, which Rust
//! calls with a batch. The future the caller awaits drives the user's stream:
//! when polled, it takes Go's result if it has come, and otherwise polls the
//! stream for at most as many items as Go asked for, lends them in their
//! borrowed layout in one `feed` call (Go copies them before it returns), and
//! then waits for the result or for Go's next request. No task, thread or
//! buffer besides the one batch being lent is needed on the Rust side.
//!
//! Dropping the future cancels the handler's context, closes its source and
//! drops the stream. When the handler returns before the stream ended, the
//! future drops the stream as it returns the result.

use std::ffi::c_void;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::abi::{FEED_END, FEED_ERROR, FEED_MORE};
use crate::call::{complete_async, AsyncSlot, Reply, SlotHeader};
use crate::error::GoError;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;
use crate::waker::AtomicWaker;
use crate::wire::{Keep, LendError, ToRef};

type WantFn = unsafe extern "C" fn(slot: *mut UploadHeader, n: usize);
type FeedFn = unsafe extern "C" fn(
    slot: *mut c_void,
    list: *const c_void,
    end: u32,
    msg: *const u8,
    len: usize,
);

/// The head of an upload's slot, shared with the Go runtime (`r2go_upload`
/// in rt) up to `feed`; the rest is Rust's.
#[repr(C)]
pub(crate) struct UploadHeader {
    base: SlotHeader,
    want: WantFn,
    /// Set by Go during the starting call: the function Rust lends batches
    /// to. 0 until then and when the call was refused.
    feed: AtomicUsize,
    /// Items Go asked for and Rust has not sent.
    credit: AtomicUsize,
    /// The future's waker, woken when Go asks for items.
    asked: AtomicWaker,
}

// The header as the contract (rt/abi) lays it out.
#[cfg(not(r2go_loom))]
const _: () = {
    use crate::abi::{UPLOAD_FEED_OFFSET, UPLOAD_WANT_OFFSET};
    assert!(std::mem::offset_of!(UploadHeader, want) == UPLOAD_WANT_OFFSET);
    assert!(std::mem::offset_of!(UploadHeader, feed) == UPLOAD_FEED_OFFSET);
};

type UploadSlot<D> = AsyncSlot<D, UploadHeader>;

unsafe extern "C" fn want_items(slot: *mut UploadHeader, n: usize) {
    // SAFETY: Go asks only while it holds its reference to the slot (the
    // end of the handler waits for requests in progress before completing).
    let h = unsafe { &*slot };
    h.credit.fetch_add(n, Ordering::AcqRel);
    h.asked.wake();
}

/// How the items of a stream parameter reach Go: [`Input`] for
/// `impl Stream<Item = T>`, [`FallibleInput`] for `Item = Result<T, E>`,
/// whose first `Err` ends the stream for Go with its text.
pub trait SourceItems: 'static {
    /// What the stream yields.
    type Item;
    /// What is lent to Go.
    type Value: ToRef + Sync;
    /// The value to lend, or the text of the error that ends the stream.
    fn split(item: Self::Item) -> Result<Self::Value, String>;
}

/// The items of `impl Stream<Item = T>`.
pub struct Input<T>(PhantomData<fn() -> T>);

impl<T: ToRef + Sync + 'static> SourceItems for Input<T> {
    type Item = T;
    type Value = T;
    fn split(item: T) -> Result<T, String> {
        Ok(item)
    }
}

/// The items of `impl Stream<Item = Result<T, E>>`, `E` a `String` or a
/// [`GoError`].
pub struct FallibleInput<T, E>(PhantomData<fn() -> (T, E)>);

impl<T: ToRef + Sync + 'static, E: SourceError> SourceItems for FallibleInput<T, E> {
    type Item = Result<T, E>;
    type Value = T;
    fn split(item: Result<T, E>) -> Result<T, String> {
        item.map_err(SourceError::text)
    }
}

/// An error type of a stream parameter's items: Go gets its text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error type of the items of a stream sent to Go",
    note = "use `String` or `r2go::GoError`"
)]
pub trait SourceError: 'static {
    /// The text Go's `Next` returns (wrapped).
    fn text(self) -> String;
}

impl SourceError for String {
    fn text(self) -> String {
        self
    }
}

impl SourceError for GoError {
    fn text(self) -> String {
        self.to_string()
    }
}

/// The future of an async call with a stream parameter: resolves to the Go
/// handler's result, and feeds the handler the stream's items as it asks
/// for them while it is polled.
///
/// The Go handler starts when the call is made. Dropping the future before
/// the result arrives cancels the handler's `context.Context`, makes its
/// source fail and drops the stream; the result, if it still comes, is
/// freed undecoded. A panic of the stream's `poll_next` unwinds out of
/// `poll` to the caller, and drops the future with it.
#[must_use = "the Go handler runs anyway, and only polling feeds it the stream"]
pub struct UploadCall<P: Reply, I: SourceItems, S> {
    what: &'static str,
    /// None when the arguments could not be lent, and after the result.
    slot: Option<Arc<UploadSlot<P::Stored>>>,
    unlent: Option<LendError>,
    /// None once it ended, or Go's handler no longer reads it.
    input: Option<Pin<Box<S>>>,
    /// How many items were lent to Go.
    sent: u64,
    items: PhantomData<fn() -> I>,
}

/// Starts an async call with a stream parameter: `lend` lends the other
/// arguments; `call` receives them and Go's reference to a new slot, and
/// makes the C call, which starts the handler.
pub fn call_upload<P: Reply, I: SourceItems, S: futures_core::Stream<Item = I::Item>, A>(
    what: &'static str,
    input: S,
    lend: impl FnOnce(&mut Keep) -> Result<A, LendError>,
    call: impl FnOnce(A, *mut c_void),
) -> UploadCall<P, I, S> {
    let mut keep = Keep::new();
    let args = match lend(&mut keep) {
        Ok(args) => args,
        Err(e) => {
            return UploadCall {
                what,
                slot: None,
                unlent: Some(e),
                input: None,
                sent: 0,
                items: PhantomData,
            }
        }
    };
    let slot = Arc::new(new_slot::<P::Stored>(complete_async::<P, UploadHeader>));
    call(args, Arc::into_raw(slot.clone()) as *mut c_void);
    UploadCall {
        what,
        slot: Some(slot),
        unlent: None,
        input: Some(Box::pin(input)),
        sent: 0,
        items: PhantomData,
    }
}

fn new_slot<D>(complete: crate::call::CompleteFn) -> UploadSlot<D> {
    let mut base = SlotHeader::new(complete);
    base.set_in_flight(crate::call::live_async_calls());
    AsyncSlot::with_header(UploadHeader {
        base,
        want: want_items,
        feed: AtomicUsize::new(0),
        credit: AtomicUsize::new(0),
        asked: AtomicWaker::new(),
    })
}

/// How long a future whose handler has not asked for items waits, spinning,
/// for its next request before it returns `Pending`.
const SPIN: std::time::Duration = std::time::Duration::from_micros(20);

/// Spinning pays only with few calls alive: otherwise the thread has other
/// work meanwhile.
const SPIN_MAX_CALLS: usize = 2;

/// The credit Go has given, waiting up to [`SPIN`] for it when few calls
/// are alive: a handler that keeps up asks within microseconds, and that
/// costs less than parking the task and being woken (ADR 0006, ADR 0009).
/// Never under loom, whose model counts a spin as no progress.
fn wait_for_credit(h: &UploadHeader) -> usize {
    let credit = || h.credit.load(Ordering::Acquire);
    if cfg!(r2go_loom) || crate::call::live_async_calls() > SPIN_MAX_CALLS {
        return credit();
    }
    let start = std::time::Instant::now();
    loop {
        for _ in 0..64 {
            let c = credit();
            if c != 0 {
                return c;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return 0;
        }
    }
}

/// A function Go wrote into the header, if it has.
fn go_fn(cell: &AtomicUsize) -> Option<usize> {
    match cell.load(Ordering::Acquire) {
        0 => None,
        f => Some(f),
    }
}

impl<P: Reply, I: SourceItems, S: futures_core::Stream<Item = I::Item>> UploadCall<P, I, S> {
    /// Feeds Go as many items as it asked for and the stream has ready.
    fn drive(&mut self, cx: &mut Context<'_>) {
        let (Some(slot), Some(input)) = (&self.slot, &mut self.input) else {
            return;
        };
        let Some(feed) = go_fn(&slot.header.feed) else {
            return; // refused: Go completes the call without reading
        };
        // SAFETY: a non-zero value was written by Go's runtime during the
        // starting call and is the address of its feed function.
        let feed = unsafe { std::mem::transmute::<usize, FeedFn>(feed) };
        loop {
            let mut credit = slot.header.credit.load(Ordering::Acquire);
            if credit == 0 {
                // Registered before the second look: a request that comes
                // in between wakes this waker.
                slot.header.asked.register(cx.waker());
                credit = wait_for_credit(&slot.header);
                if credit == 0 {
                    return;
                }
            }
            let mut batch = Vec::with_capacity(credit.min(1024));
            let mut end: Option<Result<(), String>> = None;
            while batch.len() < credit {
                match input.as_mut().poll_next(cx) {
                    Poll::Ready(Some(item)) => match I::split(item) {
                        Ok(v) => batch.push(v),
                        Err(text) => {
                            end = Some(Err(text));
                            break;
                        }
                    },
                    Poll::Ready(None) => {
                        end = Some(Ok(()));
                        break;
                    }
                    // The stream wakes this task when it has more.
                    Poll::Pending => break,
                }
            }
            if batch.is_empty() && end.is_none() {
                return;
            }
            slot.header.credit.fetch_sub(batch.len(), Ordering::AcqRel);
            let mut keep = Keep::new();
            let mut lent = keep.arg("items", batch.as_slice());
            if lent.is_err() {
                // Go gets the items before the first that cannot be lent,
                // then the end, with that item's number in the stream.
                let bad = batch
                    .iter()
                    .position(|v| Keep::new().arg("item", v).is_err())
                    .unwrap_or(0);
                let e = Keep::new()
                    .arg("item", &batch[bad])
                    .err()
                    .map_or_else(String::new, |e| e.to_string());
                end = Some(Err(format!(
                    "item {} of {} cannot be lent to Go: {e}",
                    self.sent + bad as u64,
                    self.what
                )));
                batch.truncate(bad);
                keep = Keep::new();
                lent = keep.arg("items", batch.as_slice());
            }
            let list = lent.ok();
            self.sent += batch.len() as u64;
            let (code, text) = match &end {
                None => (FEED_MORE, ""),
                Some(Ok(())) => (FEED_END, ""),
                Some(Err(text)) => (FEED_ERROR, text.as_str()),
            };
            let list_ptr = list
                .as_ref()
                .map_or(std::ptr::null(), |l| l as *const _ as *const c_void);
            // SAFETY: the slot is alive (we hold a reference); the batch and
            // what `keep` holds outlive the call, and Go copies them before
            // it returns.
            unsafe {
                feed(
                    Arc::as_ptr(slot) as *mut c_void,
                    list_ptr,
                    code,
                    text.as_ptr(),
                    text.len(),
                )
            };
            drop(keep);
            drop(batch);
            if end.is_some() {
                self.input = None;
                return;
            }
        }
    }
}

impl<P: Reply, I: SourceItems, S: futures_core::Stream<Item = I::Item>> Future
    for UploadCall<P, I, S>
{
    type Output = P::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<P::Output> {
        let this = &mut *self;
        if let Some(e) = this.unlent.take() {
            return Poll::Ready(P::unlent(e, this.what));
        }
        let Some(slot) = &this.slot else {
            panic!("r2go: {} polled after it returned its result", this.what)
        };
        match slot.poll_value(cx.waker()) {
            Poll::Ready(Some(stored)) => {
                // The handler has returned: it reads no more items.
                this.slot = None;
                this.input = None;
                Poll::Ready(P::finish(stored, this.what))
            }
            Poll::Ready(None) => panic!("r2go: {} polled after it returned its result", this.what),
            Poll::Pending => {
                this.drive(cx);
                Poll::Pending
            }
        }
    }
}

impl<P: Reply, I: SourceItems, S> Drop for UploadCall<P, I, S> {
    fn drop(&mut self) {
        let Some(slot) = &self.slot else { return };
        if slot.is_complete() {
            return;
        }
        // Go offers cancellation during the starting call of an upload (its
        // source must close even if the handler never looks at its context).
        slot.header
            .base
            .cancel_dropped(Arc::as_ptr(slot) as *mut c_void);
        // The stream is dropped with the other fields, after Go was told.
    }
}

#[cfg(all(test, r2go_loom))]
mod loom_tests {
    //! The upload's state machine under every interleaving loom finds of: Go
    //! asking for items and waiting for them, the future feeding batches and
    //! awaiting the result, Go's handler returning before the stream ended,
    //! and the future dropped at any point. Go's side is modelled as
    //! rt/source.go does it: a queue under a lock, the items asked for, an
    //! end and a close, and one completion after the handler returned.

    use super::*;
    use crate::wire::ListRef;
    use loom::sync::{Condvar, Mutex};
    use loom::thread;
    use std::collections::VecDeque;
    use std::task::Waker;

    /// Go's buffer (rt.StreamBuffer) in the model.
    const MAX: usize = 2;

    #[derive(Default)]
    struct Go {
        q: VecDeque<u32>,
        asked: usize,
        ended: bool,
        closed: bool,
        cancels: usize,
    }

    loom::lazy_static! {
        static ref GO: Mutex<Go> = Mutex::new(Go::default());
        static ref ARRIVED: Condvar = Condvar::new();
    }

    unsafe extern "C" fn feed(
        _: *mut c_void,
        list: *const c_void,
        end: u32,
        _: *const u8,
        _: usize,
    ) {
        let mut go = GO.lock().unwrap();
        if go.closed {
            return;
        }
        // SAFETY: Rust lends a ListRef of u32 for the duration of the call.
        let items = unsafe {
            let list = &*(list as *const ListRef);
            std::slice::from_raw_parts(list.ptr as *const u32, list.len).to_vec()
        };
        go.asked -= items.len();
        go.q.extend(items);
        if end != FEED_MORE {
            go.ended = true;
        }
        ARRIVED.notify_all();
    }

    unsafe extern "C" fn cancel(_: *mut c_void) {
        let mut go = GO.lock().unwrap();
        go.closed = true;
        go.q.clear();
        go.cancels += 1;
        ARRIVED.notify_all();
    }

    /// How many items Go asks for, as Source.ask does.
    fn ask(go: &mut Go) -> usize {
        let have = go.q.len() + go.asked;
        if go.ended || go.closed || 2 * have > MAX {
            return 0;
        }
        go.asked += MAX - have;
        MAX - have
    }

    /// Go's reference to the slot, moved to the handler's thread.
    struct GoRef(*mut UploadHeader);
    // SAFETY: Go's reference is used by one thread at a time, like Go's.
    unsafe impl Send for GoRef {}

    /// Go's handler: reads up to `take` items (they must be 0, 1, ...),
    /// then completes the call with how many it read.
    fn handler(slot: GoRef, take: u32) {
        let mut read = 0u32;
        let mut go = GO.lock().unwrap();
        while read < take && !go.closed {
            if let Some(v) = go.q.pop_front() {
                assert_eq!(v, read);
                read += 1;
                continue;
            }
            if go.ended {
                break;
            }
            let n = ask(&mut go);
            if n > 0 {
                drop(go);
                // SAFETY: Go holds its reference until it completes.
                unsafe { ((*slot.0).want)(slot.0, n) };
                go = GO.lock().unwrap();
                continue;
            }
            go = ARRIVED.wait(go).unwrap();
        }
        go.closed = true;
        drop(go);
        let data = read.to_ne_bytes();
        // SAFETY: Go completes once, releasing its reference.
        unsafe {
            ((*slot.0).base.complete)(slot.0 as *mut SlotHeader, 0, data.as_ptr(), data.len())
        };
    }

    /// The count Go completed with.
    struct Count;

    impl Reply for Count {
        type Output = u32;
        type Stored = u32;
        fn store(_: u32, data: &[u8]) -> u32 {
            u32::from_ne_bytes(data.try_into().unwrap())
        }
        fn finish(n: u32, _: &'static str) -> u32 {
            n
        }
        fn finish_bytes(_: u32, _: &[u8], _: &'static str) -> u32 {
            unreachable!("the model has no sync calls")
        }
        fn unlent(_: LendError, _: &'static str) -> u32 {
            unreachable!("the model lends nothing that fails")
        }
    }

    /// 0, 1, ... up to `n`, always ready; `dropped` is set when dropped.
    struct Numbers {
        next: u32,
        n: u32,
        dropped: Arc<loom::sync::atomic::AtomicBool>,
    }

    impl futures_core::Stream for Numbers {
        type Item = u32;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u32>> {
            if self.next == self.n {
                return Poll::Ready(None);
            }
            self.next += 1;
            Poll::Ready(Some(self.next - 1))
        }
    }

    impl Drop for Numbers {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::SeqCst);
        }
    }

    type Call = UploadCall<Count, Input<u32>, Numbers>;

    /// A started upload of `n` items whose handler reads up to `take`, and a
    /// reference that observes when both sides have released the slot.
    fn start(
        n: u32,
        take: u32,
    ) -> (
        Call,
        thread::JoinHandle<()>,
        Arc<UploadSlot<u32>>,
        Arc<loom::sync::atomic::AtomicBool>,
    ) {
        let slot = Arc::new(new_slot::<u32>(complete_async::<Count, UploadHeader>));
        // Go's starting call offers feed and cancel before Rust has the future.
        slot.header
            .feed
            .store(feed as *const () as usize, Ordering::Release);
        slot.header
            .base
            .cancel
            .store(cancel as *const () as usize, Ordering::Release);
        let go = GoRef(Arc::into_raw(slot.clone()) as *mut UploadHeader);
        let go = thread::spawn(move || handler(go, take));
        let dropped = Arc::new(loom::sync::atomic::AtomicBool::new(false));
        let call = UploadCall {
            what: "Loom::upload",
            slot: Some(slot.clone()),
            unlent: None,
            input: Some(Box::pin(Numbers {
                next: 0,
                n,
                dropped: dropped.clone(),
            })),
            sent: 0,
            items: PhantomData,
        };
        (call, go, slot, dropped)
    }

    /// Explores every interleaving with at most this many preemptions, as
    /// the stream's model does.
    const PREEMPTIONS: usize = 4;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut b = loom::model::Builder::new();
        b.preemption_bound = Some(PREEMPTIONS);
        b.check(f);
    }

    #[test]
    fn every_item_arrives_then_the_result() {
        model(|| {
            let (call, go, observer, dropped) = start(3, u32::MAX);
            assert_eq!(loom::future::block_on(call), 3);
            go.join().unwrap();
            assert!(dropped.load(Ordering::SeqCst));
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
            assert_eq!(GO.lock().unwrap().cancels, 0);
        });
    }

    #[test]
    fn a_handler_that_returns_early_ends_the_upload() {
        model(|| {
            let (call, go, observer, dropped) = start(3, 1);
            assert_eq!(loom::future::block_on(call), 1);
            go.join().unwrap();
            assert!(dropped.load(Ordering::SeqCst));
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
        });
    }

    #[test]
    fn drop_after_one_poll_races_with_the_handler() {
        model(|| {
            let (mut call, go, observer, dropped) = start(3, u32::MAX);
            let mut cx = Context::from_waker(crate::waker::noop_waker());
            let first = Pin::new(&mut call).poll(&mut cx);
            let done = first.is_ready();
            drop(call);
            assert!(dropped.load(Ordering::SeqCst));
            go.join().unwrap();
            // Cancelled at most once (never when the result had come, nor
            // when Go completed before the drop); nothing is left.
            let go = GO.lock().unwrap();
            assert!(go.cancels <= 1);
            if done {
                assert_eq!(go.cancels, 0);
            } else if go.cancels == 1 {
                assert!(go.q.is_empty());
            }
            drop(go);
            assert_eq!(Arc::strong_count(&observer), 1, "a reference leaked");
        });
    }
}
