// Builds handlers/ into a Go c-archive, checks gen/gen.go against
// src/user.rs and generates the Rust glue.
fn main() {
    r2go::build::Builder::new().build();
}
