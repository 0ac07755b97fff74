//! Home of the glue test (`tests/glue.rs`): it compiles the Rust glue that
//! rust2go-cli generates for every golden input of the generator and for a
//! sample of random valid interfaces, each as a crate of its own, with
//! warnings denied. The crate itself is empty.
