//! The build helper: call it from `build.rs`.
//!
//! In `build.rs`:
//!
//! ```no_run
//! r2go::build::Builder::new().build();
//! ```
//!
//! It finds the Go module (the nearest `go.mod` above the crate), checks
//! that the committed Go file (`gen/gen.go`) matches `src/user.rs`, generates
//! the Rust glue into `OUT_DIR/r2go`, builds the Go handlers package
//! (`./handlers`) with `go build -buildmode=c-archive` into `OUT_DIR`, and
//! links it. It writes nothing outside `OUT_DIR`. It needs the `go` command on
//! `PATH`; the Go build cache keeps rebuilds fast.
//!
//! Errors (a bad user.rs, a stale gen.go, a Go compile error) are reported as
//! cargo errors naming the file and the fix.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Configures and runs the Go side of the build.
#[derive(Debug, Clone)]
pub struct Builder {
    user_rs: PathBuf,
    go_module: Option<PathBuf>,
    go_gen: PathBuf,
    go_main: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

/// The name of the static library built from the Go handlers.
const GO_LIB: &str = "r2go_go";

/// The generator, as a package path that works whether r2go is the main Go
/// module or a dependency of it.
const CLI_PACKAGE: &str = "r2go.dev/r2go/cmd/rust2go-cli";

impl Builder {
    /// Defaults: `src/user.rs` in the crate, the nearest Go module above it,
    /// `gen/gen.go` and `./handlers` in that module.
    pub fn new() -> Self {
        Builder {
            user_rs: PathBuf::from("src/user.rs"),
            go_module: None,
            go_gen: PathBuf::from("gen/gen.go"),
            go_main: "./handlers".to_string(),
        }
    }

    /// The interface file, relative to the crate (`CARGO_MANIFEST_DIR`).
    pub fn user_rs(mut self, path: impl Into<PathBuf>) -> Self {
        self.user_rs = path.into();
        self
    }

    /// The Go module root (the directory holding `go.mod`), relative to the crate.
    pub fn go_module(mut self, path: impl Into<PathBuf>) -> Self {
        self.go_module = Some(path.into());
        self
    }

    /// The generated Go file, relative to the Go module.
    pub fn go_gen(mut self, path: impl Into<PathBuf>) -> Self {
        self.go_gen = path.into();
        self
    }

    /// The Go `package main` to build as the c-archive, as a package pattern
    /// relative to the Go module (`./handlers`).
    pub fn go_main(mut self, pkg: impl Into<String>) -> Self {
        self.go_main = pkg.into();
        self
    }

    /// Runs the build; on failure prints the problems as cargo errors, which
    /// fails the build with exactly those messages.
    pub fn build(self) {
        if let Err(e) = self.try_build() {
            for line in e.lines() {
                println!("cargo::error={line}");
            }
        }
    }

    /// Runs the build and returns what went wrong as text.
    pub fn try_build(self) -> Result<(), String> {
        let manifest = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
        let out = PathBuf::from(env_var("OUT_DIR")?);
        let module = match &self.go_module {
            Some(p) => manifest.join(p),
            None => find_go_module(&manifest)?,
        };
        let module = module
            .canonicalize()
            .map_err(|e| format!("go module {}: {e}", module.display()))?;
        let user_rs = manifest.join(&self.user_rs);
        let user_rs = user_rs
            .canonicalize()
            .map_err(|e| format!("{}: {e}", user_rs.display()))?;
        // Paths in messages are relative to the Go module, like the commands
        // the user runs there.
        let user_rel = relative(&user_rs, &module);

        for var in [
            "GOEXPERIMENT",
            "GOFLAGS",
            "CGO_ENABLED",
            "CC",
            "CGO_CFLAGS",
            "CGO_LDFLAGS",
            "GOROOT",
            "PATH",
        ] {
            println!("cargo::rerun-if-env-changed={var}");
        }
        println!("cargo::rerun-if-changed={}", user_rs.display());
        for f in ["go.mod", "go.sum"] {
            println!("cargo::rerun-if-changed={}", module.join(f).display());
        }

        let glue = out.join("r2go");
        let cli = out.join("rust2go-cli");
        go(
            &module,
            &[
                "build",
                "-buildvcs=false",
                "-o",
                path_str(&cli)?,
                CLI_PACKAGE,
            ],
        )
        .map_err(|e| format!("cannot build the generator {CLI_PACKAGE}: {e}"))?;

        let gen_rel = self.go_gen.to_string_lossy().into_owned();
        let run = Command::new(&cli)
            .current_dir(&module)
            .args([
                "--src",
                &user_rel,
                "--dst",
                &gen_rel,
                "--check",
                "--rs-dst",
                path_str(&glue)?,
            ])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", cli.display()))?;
        let stderr = String::from_utf8_lossy(&run.stderr);
        let (warnings, errors): (Vec<&str>, Vec<&str>) = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .partition(|l| l.contains(": warning: "));
        for w in warnings {
            println!("cargo::warning={w}");
        }
        if !run.status.success() {
            return Err(errors.join("\n"));
        }

        let lib = out.join(format!("lib{GO_LIB}.a"));
        go(
            &module,
            &[
                "build",
                "-buildmode=c-archive",
                "-buildvcs=false",
                "-o",
                path_str(&lib)?,
                &self.go_main,
            ],
        )
        .map_err(|e| {
            format!(
                "go build -buildmode=c-archive {} failed:\n{e}",
                self.go_main
            )
        })?;
        // The c-archive writes a header we do not use: both sides' declarations
        // come from the model.
        let _ = std::fs::remove_file(lib.with_extension("h"));

        // Rebuild when any Go package of this module that goes into the
        // archive or the generator changes.
        let dirs = go(
            &module,
            &[
                "list",
                "-deps",
                "-f",
                "{{if not .Standard}}{{.Dir}}{{end}}",
                &self.go_main,
                CLI_PACKAGE,
            ],
        )?;
        let mut dirs: Vec<String> = String::from_utf8_lossy(&dirs.stdout)
            .lines()
            .filter(|d| Path::new(d).starts_with(&module))
            .map(str::to_string)
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        for d in dirs {
            println!("cargo::rerun-if-changed={d}");
        }

        println!("cargo::rustc-link-search=native={}", out.display());
        println!("cargo::rustc-link-lib=static={GO_LIB}");
        if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
            println!("cargo::rustc-link-lib=framework=CoreFoundation");
            println!("cargo::rustc-link-lib=framework=Security");
        }
        Ok(())
    }
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| {
        format!("{name} is not set: r2go::build::Builder runs from a build.rs under cargo")
    })
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("path {} is not UTF-8", p.display()))
}

fn find_go_module(from: &Path) -> Result<PathBuf, String> {
    from.ancestors()
        .find(|d| d.join("go.mod").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "no go.mod found in {} or above it; set the module with Builder::go_module",
                from.display()
            )
        })
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Runs `go` in `dir`; an error carries its output.
fn go(dir: &Path, args: &[&str]) -> Result<Output, String> {
    let out = Command::new("go")
        .current_dir(dir)
        .args(args)
        .env("CGO_ENABLED", "1")
        .output()
        .map_err(|e| {
            format!("cannot run `go` ({e}); install Go 1.24 or newer and put it on PATH")
        })?;
    if !out.status.success() {
        return Err(format!(
            "`go {}` failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}
