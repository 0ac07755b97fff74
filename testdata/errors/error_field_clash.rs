/// Go error types get an Error method, so no field may be called Error.
#[derive(r2go::R2G)]
pub struct Oops {
    pub code: u32,
    pub error: String,
}

/// The same holds for the variants of an enum used as an error type.
#[derive(r2go::R2G)]
pub enum Fault {
    Bad { error: u8 },
}

#[r2go::r2g]
pub trait Results {
    fn clash() -> Result<(), Oops>;
    fn variant_clash() -> Result<(), Fault>;
}
