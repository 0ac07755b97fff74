//! Names that collide with what the generated code introduces, and the
//! shapes that broke it before: regression inputs of the property test.

/// A struct beside a trait whose name extends it (`ReadUser`).
#[derive(r2go::R2G, Clone, Debug)]
pub struct User {
    pub id: u64,
    pub r#type: String,
}

/// A record without fields lends one padding byte.
#[derive(r2go::R2G, Clone, Debug)]
pub struct Empty {}

/// Every enum of this file carries data, so strconv is not imported, and no
/// variant lends anything.
#[derive(r2go::R2G, Clone, Debug)]
pub enum Signal {
    Stop,
    Go {},
    Wait(),
}

#[r2go::r2g]
pub trait ReadUser {
    /// Parameters named like the locals and helpers of generated exports.
    fn read(buf: Vec<u8>, err: String, ret: u32, reg: &User, slot: Empty, arg1: u8) -> User;
    /// Parameters named like Go's predeclared identifiers and types.
    fn shadow(nil: String, uint8: u8, string: &str, len: Vec<Signal>) -> Signal;
    /// Scalars by reference go by value.
    fn by_ref(n: &u64, flag: &bool) -> u64;
    async fn later(ctx: String, context: Signal) -> Empty;
}
