use futures_core::Stream;

#[r2go::r2g]
pub trait Store {
    fn sync_upload(items: impl Stream<Item = u8>) -> u64;
    fn pipe(items: impl Stream<Item = u8>) -> impl Stream<Item = u8>;
    async fn two(a: impl Stream<Item = u8>, b: impl Stream<Item = u8>);
    async fn bound(items: impl Stream<Item = u8> + std::fmt::Debug);
    async fn unknown(items: impl tokio_stream::Stream<Item = u8>);
    async fn no_item(items: impl Stream);
    async fn units(items: impl Stream<Item = ()>);
    async fn bad_error(items: impl Stream<Item = Result<u8, Vec<u8>>>);
    async fn typed_error(items: impl Stream<Item = Result<u8, Code>>);
    async fn by_ref(items: &impl Stream<Item = u8>);
    #[r2go(buffer = 0)]
    async fn zero(items: impl Stream<Item = u8>);
    #[r2go(buffer = lots)]
    fn words() -> impl Stream<Item = u8>;
    #[r2go(buffr = 4)]
    fn typo() -> impl Stream<Item = u8>;
    #[r2go(buffer = 4)]
    async fn no_stream(n: u8) -> u8;
}

#[derive(r2go::R2G)]
pub enum Code {
    Bad,
}
