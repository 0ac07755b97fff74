#[derive(r2go::R2G)]
pub enum C {
    A,
}

#[r2go::r2g]
pub trait Api {
    fn get(c: C) -> u8;
}
