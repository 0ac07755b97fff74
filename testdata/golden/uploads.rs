use futures_core::Stream;

#[derive(r2go::R2G)]
pub struct Row {
    pub key: String,
    pub value: Vec<u8>,
}

#[derive(r2go::R2G)]
pub struct Summary {
    pub rows: u64,
    pub bytes: u64,
}

/// Streams sent from Rust to Go.
#[r2go::r2g]
pub trait Store {
    /// Stores every row; the stream's first Err ends it.
    async fn upload(table: String, rows: impl Stream<Item = Result<Row, String>>) -> Result<Summary, String>;
    /// Adds up the numbers, with a buffer of its own.
    #[r2go(buffer = 1_024)]
    fn total(numbers: impl futures_core::Stream<Item = u64> + Send + 'static) -> impl std::future::Future<Output = u64>;
    /// A parameter named out, and items that may fail with a GoError.
    async fn tuples(out: u8, items: impl r2go::Stream<Item = Result<(u8, String), r2go::GoError>> + Unpin);
}
