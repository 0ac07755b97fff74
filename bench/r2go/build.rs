// The bench interface lives in the root Go module (r2go.dev/r2go), like a
// user's would: gen/ and handlers/ beside this crate. The handlers package
// also holds the floor's hand-written exports, so both share one c-archive.
fn main() {
    r2go::build::Builder::new()
        .go_gen("bench/r2go/gen/gen.go")
        .go_main("./bench/r2go/handlers")
        .build();
}
