pub struct Plain {
    pub x: u8,
}

#[r2go::r2g]
pub trait Api {
    fn get(p: Plain) -> u8;
}
