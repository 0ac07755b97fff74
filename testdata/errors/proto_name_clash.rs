#[derive(r2go::R2G)]
pub struct ApiGetRequest {
    pub x: u8,
}

#[derive(r2go::R2G)]
pub struct R2goVecString {
    pub x: u8,
}

#[r2go::r2g]
pub trait Api {
    fn get(v: ApiGetRequest, names: Vec<Vec<String>>, w: R2goVecString) -> u8;
}
