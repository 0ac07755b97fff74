#[r2go::r2g]
pub trait Api {
    #[borrow(data)]
    async fn later(data: &[u8]) -> u64;
    #[borrow(n)]
    fn number(n: u32) -> u32;
    #[borrow(v)]
    fn owned(v: Vec<u8>) -> u32;
    #[borrow(missing)]
    fn named(data: &[u8]) -> u32;
    #[borrow(words)]
    fn words(words: &[String]) -> u32;
    #[borrow()]
    fn nothing(data: &[u8]) -> u32;
}
