use futures_core::Stream;

#[r2go::r2g]
pub trait Feed {
    fn unknown() -> impl tokio_stream::Stream<Item = u8>;
    async fn both(n: u8) -> impl Stream<Item = u8>;
    fn pinned() -> impl Stream<Item = u8> + Sync + std::fmt::Debug;
    fn no_item() -> impl Stream;
    fn output() -> impl Stream<Output = u8>;
    fn units() -> impl Stream<Item = ()>;
    fn unit_results() -> impl Stream<Item = Result<(), String>>;
    fn bad_error() -> impl Stream<Item = Result<u8, Vec<u8>>>;
}
