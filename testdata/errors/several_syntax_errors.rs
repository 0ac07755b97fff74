pub struct A(u8);

#[r2go::r2g]
pub trait Api {
    fn get(&self) -> u8;
}

pub union U {
    x: u8,
}
