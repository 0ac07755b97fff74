#[derive(rust2go::R2G)]
pub struct User {
    pub name: String,
}

#[rust2go::g2r]
pub trait Callback {
    fn log(user: User) -> u128;
    fn watch() -> impl futures_core::Stream<Item = u8>;
}

pub trait Plain {
    fn f();
}
