pub trait Api {
    fn get(x: u8) -> u8;
}
