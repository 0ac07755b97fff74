#[derive(r2go::R2G)]
pub struct Failure {
    pub error: String,
    pub last: Result<u8, String>,
}

#[r2go::r2g]
pub trait Results {
    fn numeric(x: u8) -> Result<u8, u32>;
    fn nested(x: u8) -> Result<u8, Vec<String>>;
    fn wrong_path(x: u8) -> Result<u8, other::GoError>;
    fn arg(r: Result<u8, String>);
}
