//! Builds the Rust2Go side of the peer with Rust2Go's own builder: it
//! regenerates go/gen.go from src/user.rs, builds ./go as a c-archive and
//! writes the bindings (with bindgen, which needs libclang) into OUT_DIR.
//!
//! Generated Go code imports Rust2Go's Go packages from the module
//! github.com/ihciah/rust2go. go/go.mod points that module at
//! go/rust2go-runtime, which holds a stand-in for its cgocall package and
//! receives, from here, the mem-ring package that the mem-ring crate ships
//! (the same Go code, from the crate this build already depends on).

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    copy_mem_ring(&manifest);
    rust2go::Builder::new()
        .with_go_src("./go")
        .with_regen_arg(rust2go::RegenArgs {
            src: "./src/user.rs".into(),
            dst: "./go/gen.go".into(),
            ..Default::default()
        })
        .build();
    println!("cargo::rerun-if-changed=src/user.rs");
    println!("cargo::rerun-if-changed=go/impl.go");
}

/// Copies the Go files of the mem-ring crate (the version in Cargo.lock)
/// into go/rust2go-runtime/mem-ring.
fn copy_mem_ring(manifest: &Path) {
    let lock = std::fs::read_to_string(manifest.join("../Cargo.lock")).expect("bench/Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"mem-ring\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .expect("mem-ring in bench/Cargo.lock");
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo"));
    let registry = cargo_home.join("registry/src");
    let crate_dir = std::fs::read_dir(&registry)
        .expect("cargo registry sources")
        .filter_map(Result::ok)
        .map(|d| d.path().join(format!("mem-ring-{version}")))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| panic!("mem-ring-{version} not found under {}", registry.display()));
    let dst = manifest.join("go/rust2go-runtime/mem-ring");
    std::fs::create_dir_all(&dst).expect("mem-ring dir");
    for entry in std::fs::read_dir(&crate_dir)
        .expect("mem-ring crate")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "go") {
            let to = dst.join(entry.file_name());
            let content = std::fs::read(&path).expect("read mem-ring go file");
            if std::fs::read(&to).ok().as_deref() != Some(&content[..]) {
                std::fs::write(&to, content).expect("write mem-ring go file");
            }
        }
    }
}
