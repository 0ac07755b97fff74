#[r2go::r2g]
pub trait Api {
    fn mutate(v: &mut Vec<u8>);
    fn borrow() -> &'static str;
    fn stream() -> impl Iterator<Item = u8>;
    fn fut() -> impl std::future::Future;
    async fn both() -> impl std::future::Future<Output = u8>;
    fn bounded() -> impl std::future::Future<Output = u8> + Unpin;
}

#[r2go::r2g]
pub trait Other {
    fn reserved(r2go_slot: u8);
    fn camel(r2goBuf: u8);
}
