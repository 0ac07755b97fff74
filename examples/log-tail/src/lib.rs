//! A log file kept by Go, scanned and tailed from Rust as streams: the
//! interface is [`user`], implemented in Go by `handlers/`.

pub mod user;
