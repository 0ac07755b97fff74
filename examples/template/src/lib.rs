//! Go's `text/template` and `regexp` for Rust: the interface is [`user`],
//! implemented in Go by `handlers/`.

pub mod user;
