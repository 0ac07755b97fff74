//! The r2go demo host: the interface in [`user`] is implemented in Go
//! (`handlers/`) and called through [`user::DemoCallImpl`]; its `#[g2r]`
//! trait [`user::RustSide`] is implemented in [`host`] and called from Go.

pub mod host;
pub mod user;
