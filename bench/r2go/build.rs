// The bench interface lives in the root Go module (r2go.dev/r2go), like a
// user's would: gen/ and handlers/ beside this crate. The handlers package
// also holds the floor's hand-written exports, so both share one c-archive.
// The same handlers served over gRPC (bench/r2go/server) are built into
// OUT_DIR for the r2go-grpc bench.
fn main() {
    r2go::build::Builder::new()
        .go_gen("bench/r2go/gen/gen.go")
        .go_main("./bench/r2go/handlers")
        .build();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"))
        .join("r2go-bench-server");
    let status = std::process::Command::new("go")
        .current_dir("../..")
        .args(["build", "-buildvcs=false", "-o"])
        .arg(&out)
        .arg("./bench/r2go/server")
        .status()
        .expect("cannot run `go`; install Go 1.24 or newer");
    assert!(status.success(), "go build of bench/r2go/server failed");
    println!("cargo::rustc-env=BENCH_R2GO_SERVER={}", out.display());
    println!("cargo::rerun-if-changed=server");
    println!("cargo::rerun-if-changed=handlers");
}
