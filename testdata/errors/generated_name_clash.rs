#[derive(r2go::R2G)]
pub struct ApiImpl {
    pub x: u8,
}

#[r2go::r2g]
pub trait Api {
    fn get(v: ApiImpl) -> u8;
}
