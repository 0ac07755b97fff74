// Builds the Go handlers (../handlers) into a c-archive, checks that
// ../gen/gen.go matches src/user.rs, and generates the Rust glue into OUT_DIR.
fn main() {
    r2go::build::Builder::new().build();
}
