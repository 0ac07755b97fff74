//! The Rust2Go peer of the benchmark suite; the interface is in [`user`].

#[allow(clippy::ptr_arg)]
pub mod user;
