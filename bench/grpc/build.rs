//! Builds the grpc-go server (./server, its own Go module, so gRPC never
//! enters r2go's go.mod) into OUT_DIR; the bench starts it.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("grpc-bench-server");
    let status = Command::new("go")
        .current_dir("server")
        .args(["build", "-buildvcs=false", "-o"])
        .arg(&out)
        .arg(".")
        .status()
        .expect("cannot run `go`; install Go 1.24 or newer");
    assert!(status.success(), "go build of the gRPC server failed");
    println!("cargo::rustc-env=BENCH_GRPC_SERVER={}", out.display());
    println!("cargo::rerun-if-changed=server");
}
