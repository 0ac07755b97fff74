//! The builder on a project of its own: a crate and a Go module outside this
//! repository that requires r2go, as a user's project does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Builder, Env};

/// A directory removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "r2go-build-test-{label}-{}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(
            dir.canonicalize()
                .expect("canonicalize a temporary directory"),
        )
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const USER_RS: &str = "\
#[r2go::r2g]
pub trait Greeter {
    fn greet(name: String) -> String;
}

#[r2go::r2g]
pub trait Counter {
    async fn count(n: u32) -> u32;
}
";

const HANDLERS: &str = r#"package main

import (
	"context"

	"example.com/app/gen"
)

type greeter struct{}

func (greeter) Greet(name string) string { return "hello " + name }

type counter struct{}

func (counter) Count(ctx context.Context, n uint32) uint32 { return n + 1 }

func init() {
	gen.RegisterGreeter(greeter{})
	gen.RegisterCounter(counter{})
}

func main() {}
"#;

/// Implements everything and registers nothing: the mistake a new user makes.
const NO_GEN_IMPORT: &str = "package main\n\nfunc main() {}\n";

/// What a project's go.mod requires besides r2go: the generated Go encodes
/// protobuf, for serving the handlers over gRPC (as the scaffold's go.mod).
const PROTOBUF: &str = "require google.golang.org/protobuf v1.36.10 // indirect\n";

/// The checksums of that requirement, as the scaffold writes them.
const PROTOBUF_SUMS: &str = include_str!("../../../../internal/scaffold/project/go.sum.tmpl");

/// A project laid out as the builder's defaults expect, with its gen.go
/// generated as the user would (`go run .../rust2go-cli`), and no go.sum:
/// the checksums of its requirements are in the go.work.sum of a Go
/// workspace around it (`app/` in the temporary directory).
struct Project {
    dir: TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = TempDir::new("project");
        std::fs::write(dir.path().join("go.work"), "go 1.24.0\n\nuse ./app\n")
            .expect("write go.work");
        std::fs::write(dir.path().join("go.work.sum"), PROTOBUF_SUMS).expect("write go.work.sum");
        let root = &dir.path().join("app");
        let r2go = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .expect("the r2go module");
        let files = [
            (
                "go.mod",
                format!(
                    "module example.com/app\n\ngo 1.24\n\nrequire r2go.dev/r2go v0.0.0\n\n{PROTOBUF}\nreplace r2go.dev/r2go => {}\n",
                    r2go.display()
                ),
            ),
            ("src/user.rs", USER_RS.to_string()),
            ("handlers/main.go", HANDLERS.to_string()),
            ("nogen/main.go", NO_GEN_IMPORT.to_string()),
        ];
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a directory");
            std::fs::write(&path, text).expect("write a project file");
        }
        for dir in ["out", "gen"] {
            std::fs::create_dir_all(root.join(dir)).expect("create a directory");
        }
        let gen = Command::new("go")
            .current_dir(root)
            .args([
                "run",
                super::CLI_PACKAGE,
                "--src",
                "src/user.rs",
                "--dst",
                "gen/gen.go",
            ])
            .output()
            .expect("run go");
        assert!(
            gen.status.success(),
            "generating gen.go failed: {}",
            String::from_utf8_lossy(&gen.stderr)
        );
        Project { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("app")
    }

    /// Cargo's environment for a build script of the project's crate,
    /// built for the host.
    fn env(&self) -> Env {
        let host = format!("{}-test-host", std::env::consts::ARCH);
        let vars = [
            ("CARGO_MANIFEST_DIR", self.root().display().to_string()),
            ("OUT_DIR", self.root().join("out").display().to_string()),
            ("TARGET", host.clone()),
            ("HOST", host),
            ("CARGO_CFG_TARGET_ARCH", std::env::consts::ARCH.to_string()),
            ("CARGO_CFG_TARGET_OS", std::env::consts::OS.to_string()),
            ("CARGO_CFG_TARGET_POINTER_WIDTH", "64".to_string()),
            ("CARGO_CFG_TARGET_ENDIAN", "little".to_string()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
        ];
        Env::Fixed(BTreeMap::from_iter(
            vars.into_iter().map(|(k, v)| (k.to_string(), v)),
        ))
    }
}

/// The paths of the `rerun-if-changed` directives, in order.
fn reruns(out: &[String]) -> Vec<PathBuf> {
    out.iter()
        .filter_map(|d| d.strip_prefix("rerun-if-changed="))
        .map(PathBuf::from)
        .collect()
}

#[test]
fn a_module_without_go_sum_is_watched_only_through_files_that_exist() {
    let p = Project::new();
    let root = &p.root();
    let mut out = Vec::new();
    Builder::new().run(&p.env(), &mut out).unwrap();
    // A path that does not exist would make cargo re-run the Go build on
    // every `cargo build`.
    let watched = [
        root.join("src/user.rs"),
        root.join("go.mod"),
        root.join("gen"),
        root.join("handlers"),
    ];
    assert_eq!(reruns(&out), watched);
    assert!(root.join("out/libr2go_go.a").is_file());
    let mut link = vec![
        format!("rustc-link-search=native={}", root.join("out").display()),
        "rustc-link-lib=static=r2go_go".to_string(),
    ];
    if cfg!(target_os = "macos") {
        link.push("rustc-link-lib=framework=CoreFoundation".to_string());
        link.push("rustc-link-lib=framework=Security".to_string());
    }
    let linked: Vec<&String> = out.iter().filter(|d| d.starts_with("rustc-link")).collect();
    assert_eq!(linked, link.iter().collect::<Vec<_>>());

    // Once the module has a go.sum, it is watched too.
    std::fs::write(root.join("go.sum"), "").expect("write go.sum");
    out.clear();
    Builder::new().run(&p.env(), &mut out).unwrap();
    let mut with_sum = watched.to_vec();
    with_sum.insert(2, root.join("go.sum"));
    assert_eq!(reruns(&out), with_sum);
}

#[test]
fn handlers_that_never_import_the_generated_package_get_the_register_calls() {
    let p = Project::new();
    let mut out = Vec::new();
    let err = Builder::new()
        .go_main("./nogen")
        .run(&p.env(), &mut out)
        .unwrap_err();
    assert_eq!(
        err,
        "./nogen never imports the generated package example.com/app/gen, so the c-archive lacks every function the Rust glue calls\n\
         hint: import \"example.com/app/gen\" in ./nogen and register the Go implementations in an init function:\n\
         \tfunc init() {\n\
         \t\tgen.RegisterGreeter(impl) // impl implements gen.Greeter\n\
         \t\tgen.RegisterCounter(impl) // impl implements gen.Counter\n\
         \t}"
    );
    // Nothing is linked, so cargo shows this message and no linker errors.
    assert!(!out.iter().any(|d| d.starts_with("rustc-link")), "{out:?}");
}
