//! Calls to a Go side served over gRPC instead of linked in (ADR 0016).
//!
//! Every generated method asks [`transport`] first: `None` (the default,
//! and always without the `grpc` feature) calls the linked Go handler, at
//! the cost of one relaxed atomic load. After `connect` (feature `grpc`),
//! every generated method of every trait calls the Go server at that
//! address instead: the same handlers, registered in a Go `main` that
//! serves them with `r2go.dev/r2go/rt/grpcserve`. `disconnect` switches
//! back.
//!
//! What stays the same: arguments, results and typed errors (as protobuf);
//! a Go error, a panic (the server goes on), a call after the Go side shut
//! down, and a value that cannot cross arrive as they do in process, with
//! the same texts. What is new: the Go side may be unreachable, or the
//! connection may break during a call: such a call fails with
//! [`GoErrorKind::Transport`](crate::GoErrorKind::Transport), naming the
//! address, and a later call connects again. Deadlines set with
//! `Options::timeout` reach the handler's `context.Context`.
//!
//! The connection lives on a small tokio runtime of r2go's own (two
//! threads, started by the first `connect`), so sync methods block the
//! calling thread from anywhere, also inside a single-threaded runtime, and
//! async methods and streams are plain `Send + 'static` values that need no
//! particular executor. Unlike in process, an async call starts when its
//! future is first polled (a call with a deadline starts at once, on r2go's
//! runtime, whose timer it needs). Dropping an async call's future or a
//! stream resets its HTTP/2 stream, which cancels the handler's context.
//!
//! Streams keep their backpressure: the Go handler runs ahead of the
//! consumer by what HTTP/2 flow control lets through (a 64 KiB window per
//! stream, and as much in grpc-go's send quota).

use std::marker::PhantomData;

use crate::call::{Failure, Fallible, Reply, Value};
use crate::pb;
use crate::stream::StreamReply;
use crate::upload::SourceItems;
use crate::wire::LendError;

#[cfg(feature = "grpc")]
pub use imp::{connect, connect_from_env, connect_with, disconnect, ConnectError, Options};

/// The connection generated calls use while one is installed: see
/// [`transport`]. Without the `grpc` feature there is none.
#[cfg(feature = "grpc")]
#[derive(Clone)]
pub struct Remote(std::sync::Arc<imp::Conn>);

/// The connection generated calls use while one is installed: see
/// [`transport`]. Without the `grpc` feature there is none.
#[cfg(not(feature = "grpc"))]
#[derive(Clone)]
pub enum Remote {}

impl Remote {
    /// The address connected to, as given to `connect`.
    pub fn address(&self) -> &str {
        #[cfg(feature = "grpc")]
        return &self.0.address;
        #[cfg(not(feature = "grpc"))]
        match *self {}
    }
}

/// The Go server generated calls go to, or `None` when they call the Go
/// side linked into this process. Always `None` without the `grpc` feature.
#[inline]
pub fn transport() -> Option<Remote> {
    #[cfg(feature = "grpc")]
    return imp::current();
    #[cfg(not(feature = "grpc"))]
    None
}

/// What a remote call ended with, before it is turned into the method's
/// result on the caller.
#[doc(hidden)]
pub enum Outcome {
    /// The response message.
    Ok(Vec<u8>),
    /// The typed error message `{ value = 1; }` from the status details.
    Typed(Vec<u8>),
    /// Any other failure.
    Failed(Failure),
}

/// A method's reply built from a remote call's outcome.
#[doc(hidden)]
pub trait RemoteReply: Reply {
    /// Turns the outcome into the method's result, on the caller: decodes
    /// it, and panics for failures the method cannot return.
    fn finish_remote(o: Outcome, what: &'static str) -> Self::Output;
}

impl<T: crate::wire::Decode + pb::Decode + Send + 'static> RemoteReply for Value<T> {
    fn finish_remote(o: Outcome, what: &'static str) -> T {
        let failure = match o {
            Outcome::Ok(b) => match pb::decode_value::<T>(&b) {
                Ok(v) => return v,
                Err(e) => Failure::Decode(e),
            },
            Outcome::Typed(_) => Failure::Returned("a typed error".into()),
            Outcome::Failed(f) => f,
        };
        failure.raise(what)
    }
}

impl<T, E> RemoteReply for Fallible<T, E>
where
    T: crate::wire::Decode + pb::Decode + Send + 'static,
    E: crate::call::ErrorType,
{
    fn finish_remote(o: Outcome, what: &'static str) -> Result<T, E> {
        let failure = match o {
            Outcome::Ok(b) => match pb::decode_value::<T>(&b) {
                Ok(v) => return Ok(v),
                Err(e) => Failure::Decode(e),
            },
            Outcome::Typed(b) => match E::decode_pb(&b) {
                Ok(e) => return Err(e),
                Err(e) => Failure::Decode(e),
            },
            Outcome::Failed(f) => f,
        };
        Err(E::from_go_error(failure.into_go_error(what)))
    }
}

/// What identifies a method on the server: its gRPC path (`/gen.T/M`) and
/// the type URL of its typed error message, if it has one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Rpc {
    pub path: &'static str,
    pub error_url: Option<&'static str>,
}

/// Makes a sync (or oneway) call on the Go server: encodes the request with
/// `encode`, blocks the calling thread until the response, and decodes it.
#[doc(hidden)]
pub fn remote_sync<P: RemoteReply>(
    remote: Remote,
    what: &'static str,
    rpc: Rpc,
    encode: impl Fn(&mut pb::Writer) -> Result<(), LendError> + Sync,
) -> P::Output {
    let body = match pb::encode(encode) {
        Ok(b) => b,
        Err(e) => return P::unlent(e, what),
    };
    #[cfg(feature = "grpc")]
    return P::finish_remote(
        imp::block_on(&remote.0.clone(), imp::unary(remote.0, rpc, body)),
        what,
    );
    #[cfg(not(feature = "grpc"))]
    match (remote, rpc, body) {}
}

/// The future of an async call on the Go server. The call starts when the
/// future is first polled (with a deadline: when the method is called);
/// dropping the future cancels it, and with it the Go handler's context.
#[doc(hidden)]
#[must_use = "the Go handler runs anyway; the future only delivers its result"]
pub struct RemoteCall<P: RemoteReply> {
    what: &'static str,
    state: CallState,
    reply: PhantomData<fn() -> P>,
}

enum CallState {
    /// The outcome is known without calling: the arguments could not be
    /// encoded, or the call cannot be made over gRPC.
    Ready(Option<Outcome>),
    /// On r2go's runtime (calls with a deadline, whose timer needs it).
    #[cfg(feature = "grpc")]
    Running(tokio::task::JoinHandle<Outcome>),
    /// Polled by the caller's own task: no hop between threads.
    #[cfg(feature = "grpc")]
    Polled(std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send>>),
}

/// Starts an async call on the Go server.
#[doc(hidden)]
pub fn remote_async<P: RemoteReply>(
    remote: Remote,
    what: &'static str,
    rpc: Rpc,
    encode: impl Fn(&mut pb::Writer) -> Result<(), LendError> + Sync,
) -> RemoteCall<P> {
    let state = match pb::encode(encode) {
        Err(e) => CallState::Ready(Some(Outcome::Failed(Failure::Unlent(e)))),
        #[cfg(feature = "grpc")]
        Ok(body) => imp::start(&remote.0.clone(), imp::unary(remote.0, rpc, body)),
        #[cfg(not(feature = "grpc"))]
        Ok(body) => match (remote, rpc, body) {},
    };
    RemoteCall {
        what,
        state,
        reply: PhantomData,
    }
}

/// Starts a call with a stream parameter on the Go server: client
/// streaming, the arguments first (`Upload { args = 1 }`), then each item
/// (`Upload { item = 2 }`) as HTTP/2 flow control lets them through; an
/// `Err` item ends the stream for Go with its text (`Upload { error = 3 }`).
/// The stream is polled on r2go's runtime while the call runs, and dropped
/// when it ends or the future is dropped.
#[doc(hidden)]
pub fn remote_upload<P, I, S>(
    remote: Remote,
    what: &'static str,
    rpc: Rpc,
    encode: impl Fn(&mut pb::Writer) -> Result<(), LendError> + Sync,
    source: S,
) -> RemoteCall<P>
where
    P: RemoteReply,
    I: SourceItems,
    I::Value: pb::Encode,
    S: futures_core::Stream<Item = I::Item> + Send + 'static,
{
    let state = match pb::encode(encode) {
        Err(e) => CallState::Ready(Some(Outcome::Failed(Failure::Unlent(e)))),
        #[cfg(feature = "grpc")]
        Ok(args) => {
            let body = imp::UploadBody::<I, S>::new(what, args, source);
            imp::start(&remote.0.clone(), imp::client_stream(remote.0, rpc, body))
        }
        #[cfg(not(feature = "grpc"))]
        Ok(args) => match (remote, rpc, args, source) {},
    };
    RemoteCall {
        what,
        state,
        reply: PhantomData,
    }
}

impl<P: RemoteReply> Unpin for RemoteCall<P> {}

impl<P: RemoteReply> std::future::Future for RemoteCall<P> {
    type Output = P::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<P::Output> {
        let what = self.what;
        #[cfg(not(feature = "grpc"))]
        let _ = cx;
        match &mut self.state {
            CallState::Ready(o) => {
                let o = o.take().unwrap_or_else(|| {
                    panic!("r2go: the future of {what} was polled after it completed")
                });
                std::task::Poll::Ready(P::finish_remote(o, what))
            }
            #[cfg(feature = "grpc")]
            CallState::Running(task) => {
                let outcome = match std::task::ready!(std::pin::Pin::new(task).poll(cx)) {
                    Ok(o) => o,
                    Err(e) => Outcome::Failed(Failure::Transport(format!(
                        "the call's task on r2go's gRPC runtime ended: {e}"
                    ))),
                };
                self.state = CallState::Ready(None);
                std::task::Poll::Ready(P::finish_remote(outcome, what))
            }
            #[cfg(feature = "grpc")]
            CallState::Polled(call) => {
                let outcome = std::task::ready!(call.as_mut().poll(cx));
                self.state = CallState::Ready(None);
                std::task::Poll::Ready(P::finish_remote(outcome, what))
            }
        }
    }
}

impl<P: RemoteReply> Drop for RemoteCall<P> {
    fn drop(&mut self) {
        #[cfg(feature = "grpc")]
        if let CallState::Running(task) = &self.state {
            task.abort();
        }
    }
}

/// The future of an async method: the linked Go side's, or a remote call's.
#[doc(hidden)]
pub enum Call<L, R> {
    Local(L),
    Remote(R),
}

impl<L, R> std::future::Future for Call<L, R>
where
    L: std::future::Future,
    R: std::future::Future<Output = L::Output>,
{
    type Output = L::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<L::Output> {
        // SAFETY: the variant's future is pinned with the enum: it is never
        // moved out of it, and the enum never changes variant.
        unsafe {
            match self.get_unchecked_mut() {
                Call::Local(f) => std::pin::Pin::new_unchecked(f).poll(cx),
                Call::Remote(f) => std::pin::Pin::new_unchecked(f).poll(cx),
            }
        }
    }
}

/// The items of a server-streaming call, behind a [`GoStream`](crate::GoStream).
pub(crate) struct RemoteItems {
    #[cfg(feature = "grpc")]
    state: imp::Items,
    #[cfg(not(feature = "grpc"))]
    never: Remote,
}

/// What the consumer gets next.
#[cfg_attr(not(feature = "grpc"), allow(dead_code))]
pub(crate) enum Next {
    Item(Vec<u8>),
    End(Outcome),
}

impl RemoteItems {
    pub(crate) fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Next> {
        #[cfg(feature = "grpc")]
        return self.state.poll_next(cx);
        #[cfg(not(feature = "grpc"))]
        {
            let _ = cx;
            match self.never {}
        }
    }
}

/// Starts a server-streaming call on the Go server.
#[doc(hidden)]
pub fn remote_stream<P: StreamReply>(
    remote: Remote,
    what: &'static str,
    rpc: Rpc,
    encode: impl Fn(&mut pb::Writer) -> Result<(), LendError> + Sync,
) -> crate::GoStream<P> {
    match pb::encode(encode) {
        Err(e) => crate::stream::GoStream::unlent(what, e),
        #[cfg(feature = "grpc")]
        Ok(body) => crate::stream::GoStream::remote(what, imp::server_stream(remote.0, rpc, body)),
        #[cfg(not(feature = "grpc"))]
        Ok(body) => match (remote, rpc, body) {},
    }
}

/// Turns a gRPC status into a call's outcome (ADR 0016, Errors).
#[cfg(feature = "grpc")]
fn status_outcome(address: &str, status: &tonic::Status, error_url: Option<&str>) -> Outcome {
    use tonic::Code;
    // Statuses tonic makes itself (no server answered, the connection
    // broke) carry the error that caused them; the server's do not.
    if std::error::Error::source(status).is_some() {
        return Outcome::Failed(Failure::Transport(unreachable_text(
            address,
            status.message(),
        )));
    }
    let msg = status.message().to_string();
    let failure = match status.code() {
        Code::Unknown => {
            if let Some(b) = error_url.and_then(|url| typed_detail(status.details(), url)) {
                return Outcome::Typed(b);
            }
            Failure::Returned(msg)
        }
        Code::Internal => Failure::Panic(msg),
        Code::Unavailable | Code::Unimplemented => Failure::ShutDown(msg),
        Code::InvalidArgument => Failure::Invalid(msg),
        Code::DeadlineExceeded => Failure::Transport(format!(
            "the deadline passed at the Go server at {address}: {msg}"
        )),
        Code::Cancelled => Failure::Transport(format!(
            "the Go server at {address} cancelled the call: {msg}"
        )),
        code => Failure::Transport(format!(
            "the Go server at {address} answered {code:?}: {msg}"
        )),
    };
    Outcome::Failed(failure)
}

/// The text of a call that did not reach the Go server.
#[cfg(feature = "grpc")]
fn unreachable_text(address: &str, detail: &str) -> String {
    format!("cannot reach the Go side at {address}: {detail} (is the Go server running?)")
}

#[cfg_attr(not(feature = "grpc"), allow(dead_code))]
/// The value of the `google.protobuf.Any` with type URL `url` among the
/// details of a `google.rpc.Status` (`grpc-status-details-bin`).
fn typed_detail(status: &[u8], url: &str) -> Option<Vec<u8>> {
    // google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3; }
    // google.protobuf.Any { string type_url = 1; bytes value = 2; }
    let mut r = pb::Reader::new(status);
    let mut found = None;
    r.each_field(|r, tag, wt| {
        if tag != 3 || wt != pb::WireType::Len {
            return r.skip(wt);
        }
        let any = r.len_bytes()?;
        let mut a = pb::Reader::new(any);
        let (mut type_url, mut value): (&[u8], &[u8]) = (&[], &[]);
        a.each_field(|a, tag, wt| match (tag, wt) {
            (1, pb::WireType::Len) => a.len_bytes().map(|b| type_url = b),
            (2, pb::WireType::Len) => a.len_bytes().map(|b| value = b),
            _ => a.skip(wt),
        })?;
        if type_url == url.as_bytes() {
            found = Some(value.to_vec());
        }
        Ok(())
    })
    .ok()?;
    found
}

#[cfg(feature = "grpc")]
mod imp {
    //! The tonic channel, its runtime, and the calls made on them.

    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock, RwLock};
    use std::time::Duration;

    use http::uri::PathAndQuery;
    use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
    use tonic::transport::{Channel, Endpoint, Uri};

    use super::{status_outcome, unreachable_text, Next, Outcome, RemoteItems, Rpc};
    use crate::call::Failure;
    use futures_core::Stream;
    use std::future::Future;

    /// One connection to a Go server.
    pub struct Conn {
        pub(super) address: String,
        channel: Channel,
        timeout: Option<Duration>,
    }

    static CONNECTED: AtomicBool = AtomicBool::new(false);
    static CURRENT: RwLock<Option<Arc<Conn>>> = RwLock::new(None);

    #[inline]
    pub(super) fn current() -> Option<super::Remote> {
        if !CONNECTED.load(Ordering::Relaxed) {
            return None;
        }
        let conn = CURRENT.read().unwrap_or_else(|e| e.into_inner()).clone();
        conn.map(super::Remote)
    }

    /// r2go's runtime for gRPC calls: two threads, started on first use.
    pub(super) fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("r2go grpc")
                .enable_all()
                .build()
                .expect("r2go: cannot start the runtime for gRPC calls")
        })
    }

    /// Runs a call to completion and waits for it on this thread, whatever
    /// runtime this thread belongs to: polled here when it needs no timer,
    /// else on r2go's runtime.
    pub(super) fn block_on<T: Send + 'static>(
        conn: &Conn,
        f: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        if conn.timeout.is_none() {
            return park_on(f);
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return runtime().block_on(f);
        }
        // Inside a runtime, block_on would panic: the call runs as a task,
        // and this thread waits for its result outside tokio.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime().spawn(async move {
            let _ = tx.send(f.await);
        });
        rx.recv()
            .expect("r2go: a call's task on r2go's gRPC runtime ended without a result")
    }

    /// Polls `f` on this thread, parking it between polls. tonic's channel
    /// needs no runtime of the caller's: its connection runs on r2go's.
    /// Unconstrained: inside a runtime, tokio's budget of the task this
    /// thread runs would otherwise run out after a hundred calls, and every
    /// later poll would yield at once, spinning.
    fn park_on<T>(f: impl std::future::Future<Output = T>) -> T {
        let f = tokio::task::unconstrained(f);
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
            fn wake_by_ref(self: &Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = std::task::Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }

    /// Starts an async call: polled by the caller's task when it needs no
    /// timer, else run on r2go's runtime (the future then only waits).
    pub(super) fn start(
        conn: &Conn,
        f: impl std::future::Future<Output = Outcome> + Send + 'static,
    ) -> super::CallState {
        if conn.timeout.is_none() {
            return super::CallState::Polled(Box::pin(f));
        }
        super::CallState::Running(runtime().spawn(f))
    }

    /// How to reach the Go server.
    #[derive(Debug, Clone, Default)]
    #[non_exhaustive]
    pub struct Options {
        /// The deadline of every call, from when it is made: past it the
        /// call fails with a `Transport` error and the Go handler's context
        /// is cancelled. None (the default): calls wait as long as they take.
        pub timeout: Option<Duration>,
        /// The tokio runtime the connection runs on. None (the default):
        /// a small runtime of r2go's own, which any caller can use; each
        /// call then costs two wake-ups of a thread of another runtime.
        /// An application whose calls all come from one runtime saves them
        /// by giving it here; the connection then ends with that runtime.
        pub runtime: Option<tokio::runtime::Handle>,
    }

    impl Options {
        /// Options with a deadline for every call.
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.timeout = Some(timeout);
            self
        }

        /// Options whose connection runs on `runtime`.
        pub fn runtime(mut self, runtime: tokio::runtime::Handle) -> Self {
            self.runtime = Some(runtime);
            self
        }
    }

    /// Why [`connect`] did not install a connection.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ConnectError(String);

    impl std::fmt::Display for ConnectError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for ConnectError {}

    /// Switches every generated call, from now on, to the Go server at
    /// `address`: `unix:///path/to/socket` or `http://host:port`. Calls
    /// already made finish where they started.
    ///
    /// Connecting is lazy: this only checks the address; the first call
    /// connects, and a call while the server is down fails with a
    /// [`Transport`](crate::GoErrorKind::Transport) error naming the address,
    /// after which the next call tries again.
    pub fn connect(address: &str) -> Result<(), ConnectError> {
        connect_with(address, Options::default())
    }

    /// [`connect`] with options.
    pub fn connect_with(address: &str, options: Options) -> Result<(), ConnectError> {
        let bad = |why: &str| {
            ConnectError(format!(
                "r2go: cannot connect to {address:?}: {why} (use unix:///path/to/socket or http://host:port)"
            ))
        };
        // h2 closes a connection whose buffered small DATA frames exceed
        // half its window: a 64 KiB stream window lets flow control stop a
        // stream's producer long before that.
        let tune = |e: Endpoint| {
            e.initial_stream_window_size(64 << 10)
                .initial_connection_window_size(8 << 20)
                .tcp_nodelay(true)
        };
        // tonic spawns the channel's tasks, and later its connections, on
        // the runtime entered here.
        let _enter = match &options.runtime {
            Some(rt) => rt.enter(),
            None => runtime().enter(),
        };
        let channel = if let Some(path) = address.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(bad("a Unix socket's path must be absolute"));
            }
            let path = path.to_string();
            tune(Endpoint::from_static("http://r2go.invalid")).connect_with_connector_lazy(
                tower::service_fn(move |_: Uri| {
                    let path = path.clone();
                    async move {
                        Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(
                            tokio::net::UnixStream::connect(path).await?,
                        ))
                    }
                }),
            )
        } else if address.starts_with("http://") {
            tune(Endpoint::from_shared(address.to_string()).map_err(|e| bad(&e.to_string()))?)
                .connect_lazy()
        } else {
            return Err(bad("unknown scheme"));
        };
        let conn = Arc::new(Conn {
            address: address.to_string(),
            channel,
            timeout: options.timeout,
        });
        *CURRENT.write().unwrap_or_else(|e| e.into_inner()) = Some(conn);
        CONNECTED.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Connects to the address in the environment variable `R2GO_CONNECT`,
    /// when it is set and not empty; returns whether it did. The variable
    /// lets a program built with the `grpc` feature switch without code
    /// changes: `R2GO_CONNECT=unix:///run/handlers.sock ./app`.
    pub fn connect_from_env() -> Result<bool, ConnectError> {
        match std::env::var("R2GO_CONNECT") {
            Ok(address) if !address.is_empty() => connect(&address).map(|()| true),
            _ => Ok(false),
        }
    }

    /// Switches every generated call, from now on, back to the Go side
    /// linked into this process. Calls already made finish on the server;
    /// the connection closes when the last one ends.
    pub fn disconnect() {
        CONNECTED.store(false, Ordering::Relaxed);
        CURRENT.write().unwrap_or_else(|e| e.into_inner()).take();
    }

    fn client(conn: &Conn) -> tonic::client::Grpc<Channel> {
        tonic::client::Grpc::new(conn.channel.clone())
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }

    fn request<T>(conn: &Conn, body: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(body);
        if let Some(t) = conn.timeout {
            req.set_timeout(t);
        }
        req
    }

    /// A local deadline too: a server that never answers cannot hold the
    /// call past it.
    async fn within<T>(
        conn: &Conn,
        f: impl std::future::Future<Output = Result<T, Outcome>>,
    ) -> Result<T, Outcome> {
        match conn.timeout {
            None => f.await,
            Some(t) => tokio::time::timeout(t, f).await.unwrap_or_else(|_| {
                Err(Outcome::Failed(Failure::Transport(format!(
                    "no answer from the Go side at {} within {t:?}",
                    conn.address
                ))))
            }),
        }
    }

    async fn ready(conn: &Conn, grpc: &mut tonic::client::Grpc<Channel>) -> Result<(), Outcome> {
        grpc.ready().await.map_err(|e| {
            let detail = std::error::Error::source(&e)
                .map_or_else(|| e.to_string(), |s| format!("{e}: {s}"));
            Outcome::Failed(Failure::Transport(unreachable_text(&conn.address, &detail)))
        })
    }

    /// Makes `rpc` with `body` on a client whose connection is ready: `call`
    /// sends the request of the rpc's kind (unary, server or client streaming), and a
    /// status other than OK becomes the call's outcome.
    async fn make<B, T, F, Fut>(conn: &Conn, rpc: Rpc, body: B, call: F) -> Result<T, Outcome>
    where
        F: FnOnce(tonic::client::Grpc<Channel>, tonic::Request<B>, PathAndQuery) -> Fut,
        Fut: std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    {
        let mut grpc = client(conn);
        ready(conn, &mut grpc).await?;
        call(
            grpc,
            request(conn, body),
            PathAndQuery::from_static(rpc.path),
        )
        .await
        .map(|r| r.into_inner())
        .map_err(|s| status_outcome(&conn.address, &s, rpc.error_url))
    }

    /// A unary call.
    pub(super) async fn unary(conn: Arc<Conn>, rpc: Rpc, body: Vec<u8>) -> Outcome {
        let call = make(&conn, rpc, body, |mut grpc, req, path| async move {
            grpc.unary(req, path, RawCodec).await
        });
        match within(&conn, call).await {
            Ok(b) => Outcome::Ok(b),
            Err(o) => o,
        }
    }

    /// A server-streaming call: a task starts it (it may wait for a
    /// connection, and for the deadline); the consumer then polls the
    /// response stream itself, so each item costs no hop between threads.
    pub(super) fn server_stream(conn: Arc<Conn>, rpc: Rpc, body: Vec<u8>) -> RemoteItems {
        let start = runtime().spawn({
            let conn = conn.clone();
            async move {
                let call = make(&conn, rpc, body, |mut grpc, req, path| async move {
                    grpc.server_streaming(req, path, RawCodec).await
                });
                within(&conn, call).await
            }
        });
        RemoteItems {
            state: Items::Starting(start, conn, rpc),
        }
    }

    /// Where a server-streaming call is.
    pub(super) enum Items {
        Starting(
            tokio::task::JoinHandle<Result<tonic::Streaming<Vec<u8>>, Outcome>>,
            Arc<Conn>,
            Rpc,
        ),
        Reading(Box<tonic::Streaming<Vec<u8>>>, Arc<Conn>, Rpc),
        Ended,
    }

    impl Items {
        pub(super) fn poll_next(
            &mut self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Next> {
            use std::task::Poll;
            loop {
                match self {
                    Items::Starting(task, conn, rpc) => {
                        let started = std::task::ready!(std::pin::Pin::new(task).poll(cx));
                        match started {
                            Ok(Ok(s)) => *self = Items::Reading(Box::new(s), conn.clone(), *rpc),
                            Ok(Err(o)) => return self.end(o),
                            Err(e) => {
                                return self.end(Outcome::Failed(Failure::Transport(format!(
                                    "the stream's task on r2go's gRPC runtime ended: {e}"
                                ))))
                            }
                        }
                    }
                    Items::Reading(s, conn, rpc) => {
                        let next = std::task::ready!(std::pin::Pin::new(&mut **s).poll_next(cx));
                        return match next {
                            Some(Ok(b)) => Poll::Ready(Next::Item(b)),
                            None => self.end(Outcome::Ok(Vec::new())),
                            Some(Err(st)) => {
                                let o = status_outcome(&conn.address, &st, rpc.error_url);
                                self.end(o)
                            }
                        };
                    }
                    Items::Ended => {
                        return Poll::Ready(Next::End(Outcome::Failed(Failure::Transport(
                            "the stream ended before".into(),
                        ))))
                    }
                }
            }
        }

        /// Ends the call (dropping the response stream resets it) with `o`.
        fn end(&mut self, o: Outcome) -> std::task::Poll<Next> {
            *self = Items::Ended;
            std::task::Poll::Ready(Next::End(o))
        }
    }

    impl Drop for Items {
        fn drop(&mut self) {
            if let Items::Starting(task, _, _) = self {
                task.abort();
            }
        }
    }

    /// A client-streaming call: the upload messages, then one response.
    pub(super) async fn client_stream<S>(conn: Arc<Conn>, rpc: Rpc, body: S) -> Outcome
    where
        S: futures_core::Stream<Item = Vec<u8>> + Send + 'static,
    {
        let call = make(&conn, rpc, body, |mut grpc, req, path| async move {
            grpc.client_streaming(req, path, RawCodec).await
        });
        match within(&conn, call).await {
            Ok(b) => Outcome::Ok(b),
            Err(o) => o,
        }
    }

    /// The upload messages of a call with a stream parameter: the arguments,
    /// then one message per item of the source, up to its first error.
    pub(super) struct UploadBody<I, S> {
        what: &'static str,
        args: Option<Vec<u8>>,
        source: Option<std::pin::Pin<Box<S>>>,
        items: std::marker::PhantomData<fn() -> I>,
    }

    impl<I, S> UploadBody<I, S> {
        pub(super) fn new(what: &'static str, args: Vec<u8>, source: S) -> Self {
            UploadBody {
                what,
                args: Some(args),
                source: Some(Box::pin(source)),
                items: std::marker::PhantomData,
            }
        }
    }

    /// `Upload { <member> = tag }` holding `body` (an encoded message or a
    /// string).
    fn upload_part(tag: u32, body: &[u8]) -> Vec<u8> {
        crate::pb::encode(|w| {
            w.tag(tag, crate::pb::WireType::Len);
            w.bytes(body);
            Ok(())
        })
        .expect("writing a tag and bytes cannot fail")
    }

    impl<I, S> futures_core::Stream for UploadBody<I, S>
    where
        I: super::SourceItems,
        I::Value: crate::pb::Encode,
        S: futures_core::Stream<Item = I::Item>,
    {
        type Item = Vec<u8>;

        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Vec<u8>>> {
            use std::task::Poll;
            // The source is pinned in its Box: the body itself is Unpin.
            let this = self.get_mut();
            if let Some(args) = this.args.take() {
                return Poll::Ready(Some(upload_part(1, &args)));
            }
            let Some(source) = this.source.as_mut() else {
                return Poll::Ready(None);
            };
            let item = match std::task::ready!(source.as_mut().poll_next(cx)) {
                None => {
                    this.source = None;
                    return Poll::Ready(None);
                }
                Some(item) => item,
            };
            let value = match I::split(item) {
                Ok(v) => v,
                Err(text) => {
                    // Nothing follows an error.
                    this.source = None;
                    return Poll::Ready(Some(upload_part(3, text.as_bytes())));
                }
            };
            match crate::pb::encode_value(&value) {
                Ok(item) => Poll::Ready(Some(upload_part(2, &item))),
                Err(e) => {
                    this.source = None;
                    let text = format!("an item of {} cannot be sent to Go: {e}", this.what);
                    Poll::Ready(Some(upload_part(3, text.as_bytes())))
                }
            }
        }
    }

    /// Passes messages through as bytes: r2go::pb encodes and decodes them.
    #[derive(Debug, Clone, Copy, Default)]
    struct RawCodec;

    #[derive(Debug, Clone, Copy, Default)]
    struct Raw;

    impl Codec for RawCodec {
        type Encode = Vec<u8>;
        type Decode = Vec<u8>;
        type Encoder = Raw;
        type Decoder = Raw;

        fn encoder(&mut self) -> Raw {
            Raw
        }

        fn decoder(&mut self) -> Raw {
            Raw
        }
    }

    impl Encoder for Raw {
        type Item = Vec<u8>;
        type Error = tonic::Status;

        fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
            bytes::BufMut::put_slice(dst, &item);
            Ok(())
        }
    }

    impl Decoder for Raw {
        type Item = Vec<u8>;
        type Error = tonic::Status;

        fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
            let n = bytes::Buf::remaining(src);
            let mut v = vec![0; n];
            bytes::Buf::copy_to_slice(src, &mut v);
            Ok(Some(v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_typed_error_among_the_status_details() {
        // Status { code: 2, message: "x", details: [Any{url a, [1]}, Any{url b, [2, 3]}] }
        let any = |url: &str, value: &[u8]| {
            let mut b = vec![0x0a, url.len() as u8];
            b.extend_from_slice(url.as_bytes());
            b.extend_from_slice(&[0x12, value.len() as u8]);
            b.extend_from_slice(value);
            b
        };
        let mut status = vec![0x08, 0x02, 0x12, 0x01, b'x'];
        for (url, value) in [
            ("type.googleapis.com/gen.A", &[1u8][..]),
            ("type.googleapis.com/gen.B", &[2, 3][..]),
        ] {
            let a = any(url, value);
            status.push(0x1a);
            status.push(a.len() as u8);
            status.extend_from_slice(&a);
        }
        assert_eq!(
            typed_detail(&status, "type.googleapis.com/gen.B"),
            Some(vec![2, 3])
        );
        assert_eq!(
            typed_detail(&status, "type.googleapis.com/gen.A"),
            Some(vec![1])
        );
        assert_eq!(typed_detail(&status, "type.googleapis.com/gen.C"), None);
        assert_eq!(typed_detail(&[0xff], "type.googleapis.com/gen.A"), None);
        assert_eq!(typed_detail(&[], "type.googleapis.com/gen.A"), None);
    }

    #[test]
    fn without_a_connection_calls_stay_in_process() {
        assert!(transport().is_none());
    }
}
