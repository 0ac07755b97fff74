#[r2go::r2g]
pub trait Api {
    fn get(&self, x: u8) -> u8;
}
