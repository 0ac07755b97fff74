//! Compiles the Rust glue generated from every golden input of the generator
//! (`testdata/golden/*.rs`), with each input as a module, so the golden Rust
//! output is proven to compile and not only compared as text.
//!
//! The Rust2Go-style input names the runtime `rust2go::`, as a crate that
//! renamed the dependency does; the alias below gives this crate that name too.

extern crate r2go as rust2go;

#[allow(dead_code, clippy::all)]
#[path = "../../../testdata/golden/features.rs"]
pub mod features;

#[allow(dead_code, clippy::all)]
#[path = "../../../testdata/golden/rust2go_compat.rs"]
pub mod rust2go_compat;

#[allow(dead_code, clippy::all)]
#[path = "../../../testdata/golden/types.rs"]
pub mod types;

#[allow(dead_code, clippy::all)]
#[path = "../../../testdata/golden/results.rs"]
pub mod results;
