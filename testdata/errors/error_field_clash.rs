/// Go error types get an Error method, so no field may be called Error.
#[derive(r2go::R2G)]
pub struct Oops {
    pub code: u32,
    pub error: String,
}

#[r2go::r2g]
pub trait Results {
    fn clash() -> Result<(), Oops>;
}
