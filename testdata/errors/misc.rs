#[derive(r2go::R2G)]
pub struct Deep {
    pub v: Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<u8>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>,
}

#[r2go::r2g]
pub trait Grüße {
    fn hello();
}

#[r2go::r2g]
pub trait Api {
    fn grüß();
    fn assoc() -> impl std::future::Future<Item = u8>;
}
