//! The r2go demo host: the interface in [`user`] is implemented in Go
//! (`handlers/`) and called through [`user::DemoCallImpl`].

pub mod user;
