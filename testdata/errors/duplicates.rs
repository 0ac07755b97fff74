#[derive(r2go::R2G)]
pub struct Item {
    pub x: u8,
    pub x: u16,
}

#[derive(r2go::R2G)]
pub struct Item {
    pub y: u8,
}

#[r2go::r2g]
pub trait Api {
    fn get(a: u8, a: u8) -> u8;
    fn get() -> u8;
}
