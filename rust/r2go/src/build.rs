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
//! It builds for cargo's target, not the host: `TARGET` chooses `GOOS` and
//! `GOARCH` (and `GOAMD64` when the Rust target requires a higher x86-64
//! level), and cgo compiles with the target's C compiler: `CC_<target>`,
//! `TARGET_CC` or `CC` as the `cc` crate reads them, else cargo's linker for
//! the target, else the conventional cross compiler (`aarch64-linux-gnu-gcc`).
//! Targets whose layouts r2go does not support (32-bit, big-endian) are
//! rejected. See docs/targets.md in the repository.
//!
//! Errors (a bad user.rs, a stale gen.go, a Go compile error, a missing cross
//! compiler, a handlers package that never imports the generated one) are
//! reported as cargo errors naming the file and the fix.

use std::collections::BTreeMap;
use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use target::GoTarget;

mod target;
#[cfg(test)]
mod tests;

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
        let mut out = Vec::new();
        let result = self.run(&Env::Process, &mut out);
        print_directives(&out);
        if let Err(e) = result {
            for line in e.lines() {
                println!("cargo::error={line}");
            }
        }
    }

    /// Runs the build and returns what went wrong as text.
    pub fn try_build(self) -> Result<(), String> {
        let mut out = Vec::new();
        let result = self.run(&Env::Process, &mut out);
        print_directives(&out);
        result
    }

    /// The build, reading the environment from `env` and collecting cargo's
    /// directives (without the `cargo::` prefix) in `out`.
    fn run(&self, env: &Env, out: &mut Vec<String>) -> Result<(), String> {
        let manifest = PathBuf::from(env.required("CARGO_MANIFEST_DIR")?);
        let out_dir = PathBuf::from(env.required("OUT_DIR")?);
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

        let triple = env.required("TARGET")?;
        let host = env.required("HOST")?;
        let linker_var = format!(
            "CARGO_TARGET_{}_LINKER",
            triple.to_uppercase().replace(['-', '.'], "_")
        );
        let vars = [
            "GOEXPERIMENT",
            "GOFLAGS",
            "GOAMD64",
            "GOARM64",
            "CGO_CFLAGS",
            "CGO_LDFLAGS",
        ]
        .map(String::from)
        .into_iter()
        .chain(target::cc_vars(&triple, &host))
        .chain([linker_var, "GOROOT".into(), "PATH".into()]);
        for var in vars {
            out.push(format!("rerun-if-env-changed={var}"));
        }
        // Cargo re-runs the build script whenever a path it was given does
        // not exist, so only existing files are named (a module need not
        // have a go.sum).
        for f in [
            user_rs.clone(),
            module.join("go.mod"),
            module.join("go.sum"),
        ] {
            if f.exists() {
                out.push(format!("rerun-if-changed={}", f.display()));
            }
        }

        let target = target::resolve(env)?;
        let for_target = GoFor::Target(&target);

        let glue = out_dir.join("r2go");
        let cli = out_dir.join("rust2go-cli");
        go(
            &module,
            &GoFor::Host,
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
            out.push(format!("warning={w}"));
        }
        if !run.status.success() {
            return Err(errors.join("\n"));
        }

        let lib = out_dir.join(format!("lib{GO_LIB}.a"));
        go(
            &module,
            &for_target,
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
                "go build -buildmode=c-archive {} for {} failed:\n{e}",
                self.go_main, target.triple
            )
        })?;
        // The c-archive writes a header we do not use: both sides' declarations
        // come from the model.
        let _ = std::fs::remove_file(lib.with_extension("h"));

        // Rebuild when any Go package of this module that goes into the
        // archive or the generator changes.
        let deps = go(
            &module,
            &for_target,
            &[
                "list",
                "-deps",
                "-f",
                "{{if not .Standard}}{{.Dir}}{{end}}",
                &self.go_main,
                CLI_PACKAGE,
            ],
        )?;
        let mut dirs: Vec<PathBuf> = String::from_utf8_lossy(&deps.stdout)
            .lines()
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .filter(|d| d.starts_with(&module))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        for d in &dirs {
            out.push(format!("rerun-if-changed={}", d.display()));
        }
        self.check_imports_gen(&module, &for_target)?;

        out.push(format!("rustc-link-search=native={}", out_dir.display()));
        out.push(format!("rustc-link-lib=static={GO_LIB}"));
        out.extend(link_flags(target.goos).iter().map(|l| l.to_string()));
        Ok(())
    }

    /// Fails when the handlers package never imports the generated package:
    /// its archive would have none of the functions the Rust glue calls, and
    /// the link would fail with a page of undefined `r2go1_…` symbols.
    fn check_imports_gen(&self, module: &Path, for_target: &GoFor) -> Result<(), String> {
        let gen_file = module.join(&self.go_gen);
        let gen_dir = gen_file.parent().unwrap_or(module);
        let gen_pkg = format!("./{}", relative(gen_dir, module));
        let listed = go(
            module,
            for_target,
            &["list", "-deps", "-f", "{{.ImportPath}}", &self.go_main],
        )?;
        let deps = String::from_utf8_lossy(&listed.stdout).into_owned();
        let gen = go(
            module,
            for_target,
            &["list", "-f", "{{.ImportPath}} {{.Name}}", &gen_pkg],
        )?;
        let gen = String::from_utf8_lossy(&gen.stdout).into_owned();
        let (path, name) = gen.trim().split_once(' ').unwrap_or((gen.trim(), "gen"));
        if deps.lines().any(|d| d == path) {
            return Ok(());
        }
        let source = std::fs::read_to_string(&gen_file).unwrap_or_default();
        let registers: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("func Register"))
            .filter_map(|l| l.split_once('(').map(|(trait_name, _)| trait_name))
            .collect();
        let mut e = format!(
            "{} never imports the generated package {path}, so the c-archive lacks every function the Rust glue calls",
            self.go_main
        );
        if registers.is_empty() {
            e += &format!("\nhint: import _ \"{path}\" in {}", self.go_main);
        } else {
            e += &format!(
                "\nhint: import \"{path}\" in {} and register the Go implementations in an init function:\n\tfunc init() {{",
                self.go_main
            );
            for t in registers {
                e += &format!("\n\t\t{name}.Register{t}(impl) // impl implements {name}.{t}");
            }
            e += "\n\t}";
        }
        Err(e)
    }
}

/// Libraries a Go c-archive needs from the system beyond what Rust's
/// standard library links, per `GOOS`. Only Linux is tested (docs/targets.md).
fn link_flags(goos: &str) -> &'static [&'static str] {
    match goos {
        "darwin" | "ios" => &[
            "rustc-link-lib=framework=CoreFoundation",
            "rustc-link-lib=framework=Security",
        ],
        _ => &[],
    }
}

/// Prints the directives for cargo.
fn print_directives(out: &[String]) {
    for d in out {
        println!("cargo::{d}");
    }
}

/// The build script's environment: the process's, or a fixed one in tests.
#[derive(Debug, Clone)]
pub(crate) enum Env {
    Process,
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed(BTreeMap<String, String>),
}

impl Env {
    /// A variable's value; unset and non-UTF-8 values are `None`.
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        match self {
            Env::Process => env::var(name).ok(),
            Env::Fixed(vars) => vars.get(name).cloned(),
        }
    }

    /// A variable cargo sets for build scripts.
    pub(crate) fn required(&self, name: &str) -> Result<String, String> {
        self.var(name).ok_or_else(|| {
            format!("{name} is not set: r2go::build::Builder runs from a build.rs under cargo")
        })
    }
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

/// Whom a `go` command builds for.
enum GoFor<'a> {
    /// The generator, which runs here: Go's own defaults, whatever the
    /// environment says about the target.
    Host,
    /// The c-archive linked into cargo's target.
    Target(&'a GoTarget),
}

/// Runs `go` in `dir`; an error carries its output.
fn go(dir: &Path, what: &GoFor, args: &[&str]) -> Result<Output, String> {
    let mut cmd = Command::new("go");
    cmd.current_dir(dir).args(args);
    match what {
        GoFor::Host => {
            cmd.env_remove("GOOS")
                .env_remove("GOARCH")
                .env_remove("CC")
                .env("CGO_ENABLED", "0");
        }
        GoFor::Target(t) => {
            cmd.envs(t.go_env());
        }
    }
    let out = cmd.output().map_err(|e| {
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
