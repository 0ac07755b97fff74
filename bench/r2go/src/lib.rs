//! The r2go peer of the benchmark suite: the interface in [`user`], and the
//! hand-written floor in [`floor`].

pub mod floor;
pub mod host;
// The interface language has no slices yet, so byte arguments are `&Vec<u8>`.
#[allow(clippy::ptr_arg)]
pub mod user;
