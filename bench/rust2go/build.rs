//! Builds the Rust2Go side of the peer with Rust2Go's own builder: it
//! generates gen.go from src/user.rs, builds the Go module as a c-archive and
//! writes the bindings (with bindgen, which needs libclang) into OUT_DIR.
//!
//! Generated Go code imports Rust2Go's Go packages from the module
//! github.com/ihciah/rust2go. go/go.mod points that module at
//! go/rust2go-runtime, which holds a stand-in for its cgocall package; the
//! mem-ring package comes from the mem-ring crate this build already depends
//! on, which ships it. The Go module is assembled in OUT_DIR (go/ as
//! committed, plus mem-ring and gen.go), so the build writes nothing into the
//! source tree.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let module = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("go");
    copy_tree(&manifest.join("go"), &module);
    copy_mem_ring(&manifest, &module.join("rust2go-runtime/mem-ring"));
    rust2go::Builder::new()
        .with_go_src(&module)
        .with_regen_arg(rust2go::RegenArgs {
            src: manifest.join("src/user.rs").display().to_string(),
            dst: module.join("gen.go").display().to_string(),
            ..Default::default()
        })
        .build();
    println!("cargo::rerun-if-changed=src/user.rs");
    println!("cargo::rerun-if-changed=go");
}

/// Copies the files under `from` to `to`, rewriting only what changed so the
/// Go build cache stays warm.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from)
        .expect("read dir")
        .filter_map(Result::ok)
    {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            copy_if_changed(&src, &dst);
        }
    }
}

fn copy_if_changed(src: &Path, dst: &Path) {
    let content = std::fs::read(src).expect("read file");
    if std::fs::read(dst).ok().as_deref() != Some(&content[..]) {
        std::fs::write(dst, content).expect("write file");
    }
}

/// Copies the Go files of the mem-ring crate (the version in Cargo.lock)
/// into `dst`.
fn copy_mem_ring(manifest: &Path, dst: &Path) {
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
    std::fs::create_dir_all(dst).expect("mem-ring dir");
    for entry in std::fs::read_dir(&crate_dir)
        .expect("mem-ring crate")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "go") {
            copy_if_changed(&path, &dst.join(entry.file_name()));
        }
    }
}
