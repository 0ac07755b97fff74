//! Streams: Go handlers send items, Rust consumes them.

use futures_core::Stream;

/// What a watch reports.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Event {
    pub seq: u64,
    pub key: String,
}

/// Why a scan failed.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct ScanError {
    pub code: u32,
}

impl From<r2go::GoError> for ScanError {
    fn from(_: r2go::GoError) -> Self {
        ScanError { code: 0 }
    }
}

/// A key-value store that streams.
#[r2go::r2g]
pub trait Store {
    /// Every change of keys with this prefix, as it happens.
    fn watch(prefix: &str) -> impl Stream<Item = Event>;
    /// The rows under `prefix`; a failure ends the stream with an Err item.
    fn scan(prefix: String, limit: Option<u32>) -> impl futures_core::Stream<Item = Result<(u64, Vec<u8>), ScanError>> + Send;
    /// Numbers, with Go's error text on failure, 256 at a time at most.
    #[r2go(buffer = 256)]
    fn count(to: u64) -> impl futures_core::stream::Stream<Item = Result<u64, String>>;
    /// A parameter named like the sink.
    fn tail(out: u32, ctx: u8) -> impl Stream<Item = Vec<Option<String>>>;
    /// Failures as GoError; the trait as r2go re-exports it.
    fn lines() -> impl r2go::Stream<Item = Result<String, r2go::GoError>>;
}
