//! The interface between Rust and bbolt (handlers/store.go).

/// One key and its value.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Vec<u8>,
}

/// What went wrong, as Rust matches on it.
#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq)]
pub enum DbErrorKind {
    /// The key or bucket does not exist.
    NotFound,
    /// The store is not open, or closed.
    Closed,
    /// bbolt failed: the message says how.
    Storage,
    /// The Go side was shut down and did not run the call.
    ShutDown,
    /// The Go handler panicked.
    Bridge,
}

// snippet: error-type
/// A failed store call. Go handlers return it as their `error`; every other
/// failure arrives through `From<GoError>`.
#[derive(r2go::R2G, Clone, Debug, PartialEq)]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
}

impl From<r2go::GoError> for DbError {
    fn from(e: r2go::GoError) -> Self {
        let kind = match e.kind() {
            r2go::GoErrorKind::ShutDown => DbErrorKind::ShutDown,
            _ => DbErrorKind::Bridge,
        };
        DbError {
            kind,
            message: e.to_string(),
        }
    }
}
// end snippet

// snippet: store-trait
/// bbolt, registered in Go with `rt.MaxConcurrent(4)`: at most four `put`
/// handlers run at once, further calls wait in Go.
#[r2go::r2g]
pub trait Store {
    /// Opens (or creates) the database file at `path`.
    fn open(path: &str) -> Result<(), DbError>;
    /// The value of `key` in `bucket`: a read-only bbolt transaction on the
    /// calling thread, which many threads may run at once.
    fn get(bucket: &str, key: &str) -> Result<Vec<u8>, DbError>;
    /// At most `limit` entries of `bucket` whose keys start with `prefix`, in
    /// key order.
    fn scan(bucket: &str, prefix: &str, limit: u32) -> Result<Vec<Entry>, DbError>;
    /// Writes `entries` into `bucket` (created if needed) in one transaction
    /// on a goroutine; returns how many keys the bucket holds then. bbolt
    /// runs one writing transaction at a time, so writes queue.
    async fn put(bucket: String, entries: Vec<Entry>) -> Result<u64, DbError>;
    /// The most `put` handlers that ever ran at once.
    fn peak_writers() -> u32;
    /// Closes the database file; later calls fail with `Closed`.
    fn close() -> Result<(), DbError>;
}
// end snippet
