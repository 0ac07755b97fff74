//! r2go: call Go from Rust, synchronously or with `.await`.
//!
//! Describe the interface in `user.rs` as plain structs with
//! `#[derive(r2go::R2G)]` and traits with `#[r2go::r2g]`; generate the Go side
//! with `rust2go-cli`; call [`build::Builder`] from `build.rs`. Each trait
//! `T` then has a unit struct `TImpl` implementing it by calling the Go
//! handler registered with `RegisterT`:
//!
//! - sync methods run the Go handler on the calling thread;
//! - async methods (`async fn` or `-> impl Future<Output = T>`) run it on a
//!   goroutine and return a `Send + 'static` future that is safe to drop:
//!   dropping it cancels the handler's `context.Context`;
//! - stream methods (`-> impl Stream<Item = T>`) run it on a goroutine that
//!   sends items through a sink, and return a [`GoStream`] at once: a
//!   `Send + Unpin + 'static` [`Stream`] with backpressure; dropping it
//!   cancels the handler's context;
//! - methods without a result are sync calls whose handler result is nothing.
//!
//! Memory: arguments are lent to Go for the duration of the call and copied
//! by Go; results are owned Rust values.
//!
//! Errors: a method returning `Result<T, E>` is `(T, error)` in Go. A Go error
//! arrives as `Err` (see [`GoError`] for what `E` may be); so does a panic in
//! the Go handler, marked as one, a call after [`shutdown`], and a value that
//! cannot cross (nested deeper than [`set_max_depth`], or a Go string that is
//! not UTF-8). Methods that cannot fail panic on the calling task in those
//! cases instead; the process and other calls go on. Results are decoded,
//! and dropped if unwanted, on the caller, never inside Go's callback.
//!
//! Out of process: with the `grpc` feature, `grpc::connect` switches every
//! generated call to the same handlers served by a Go server over gRPC
//! (protobuf from [`pb`]); the call sites stay as they are.
//!
//! The crate also works when renamed to `rust2go` in Cargo.toml, so a
//! Rust2Go `user.rs` compiles unchanged.

mod abi;
pub mod build;
mod call;
mod depth;
mod error;
mod g2r;
pub mod grpc;
mod lifecycle;
pub mod pb;
mod stream;
mod sync;
mod upload;
mod waker;
mod wire;

pub use call::live_async_calls;
pub use depth::{max_depth, set_max_depth};
pub use error::{GoError, GoErrorKind};
pub use futures_core::Stream;
pub use g2r::{live_g2r_calls, RegisterError};
pub use lifecycle::{go_stats, shutdown, GoStats, ShutdownError};
pub use r2go_macros::{g2r, r2g, r2g_include_binding, R2G};
pub use stream::{live_streams, GoStream};

/// Items the generated glue uses. Not a stable API: it changes with the glue.
#[doc(hidden)]
pub mod glue {
    /// The version of the contract with the Go runtime; generated glue
    /// asserts it was generated for this one.
    pub const ABI_VERSION: u32 = crate::abi::VERSION;

    pub use crate::call::{
        call_async, call_direct, call_sync, AsyncCall, ErrorType, Fallible, Reply, Value,
    };
    pub use crate::error::GoError;
    pub use crate::g2r::{
        current_handle, register as register_g2r, serve_async, serve_sync, AsyncFn, G2rReply,
        RegisterError, SyncFn, SyncReply,
    };
    pub use crate::grpc::{
        remote_async, remote_stream, remote_sync, remote_upload, transport, Call, RemoteCall,
        RemoteReply, Rpc,
    };
    pub use crate::pb;
    pub use crate::stream::{call_stream, FallibleItems, Items, StreamReply};
    pub use crate::upload::{
        call_upload, FallibleInput, Input, SourceError, SourceItems, UploadCall,
    };
    pub use crate::wire::{
        Decode, DecodeError, EnumRef, Keep, LendError, ListRef, PairRef, Reader, StrRef, ToRef,
        TupleRef1, TupleRef10, TupleRef11, TupleRef12, TupleRef2, TupleRef3, TupleRef4, TupleRef5,
        TupleRef6, TupleRef7, TupleRef8, TupleRef9,
    };
    pub use futures_core::Stream;
    pub use tokio::runtime::Handle;
}
