//! A key-value store on disk for Rust made of bbolt (go.etcd.io/bbolt), a Go
//! library: the interface is [`user`], implemented in Go by `handlers/`.

pub mod user;
