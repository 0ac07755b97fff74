// Rust2Go's build.rs configured its Go source directory and regeneration
// arguments; r2go's defaults (src/user.rs, gen/gen.go, ./handlers) need
// none of it.
fn main() {
    rust2go::build::Builder::new().build();
}
