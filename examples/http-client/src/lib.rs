//! An HTTP client for async Rust made of Go's `net/http`: the interface is
//! [`user`], implemented in Go by `handlers/`.

pub mod user;
