//! What cargo's target means for the Go build: `GOOS`, `GOARCH`, `GOAMD64`,
//! the C compiler cgo uses, and the targets r2go refuses.
//!
//! Everything here reads the build script's environment through [`Env`], so
//! tests can describe any target without a cross toolchain.

use std::path::Path;

use super::Env;

/// The Go side of cargo's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoTarget {
    /// Cargo's target triple (`TARGET`).
    pub triple: String,
    pub goos: &'static str,
    pub goarch: &'static str,
    /// The x86-64 level the Rust target already requires, when above Go's
    /// default `v1` and the environment does not choose one.
    pub goamd64: Option<&'static str>,
    /// The C compiler for cgo; `None` keeps Go's default, the host's.
    pub cc: Option<String>,
}

impl GoTarget {
    /// The variables the target's `go build` and `go list` run with.
    pub fn go_env(&self) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("GOOS", self.goos.to_string()),
            ("GOARCH", self.goarch.to_string()),
            ("CGO_ENABLED", "1".to_string()),
        ];
        if let Some(level) = self.goamd64 {
            vars.push(("GOAMD64", level.to_string()));
        }
        if let Some(cc) = &self.cc {
            vars.push(("CC", cc.clone()));
        }
        vars
    }
}

/// The environment variables that choose the target's C compiler, in the
/// order the `cc` crate reads them.
pub(crate) fn cc_vars(triple: &str, host: &str) -> [String; 4] {
    let kind = if triple == host { "HOST" } else { "TARGET" };
    [
        format!("CC_{triple}"),
        format!("CC_{}", triple.replace('-', "_")),
        format!("{kind}_CC"),
        "CC".to_string(),
    ]
}

/// Reads cargo's description of the target and resolves the Go build for it.
pub(crate) fn resolve(env: &Env) -> Result<GoTarget, String> {
    let triple = env.required("TARGET")?;
    let host = env.required("HOST")?;
    let arch = env.required("CARGO_CFG_TARGET_ARCH")?;
    let os = env.required("CARGO_CFG_TARGET_OS")?;
    let abi = env.var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let width = env.required("CARGO_CFG_TARGET_POINTER_WIDTH")?;
    let endian = env.required("CARGO_CFG_TARGET_ENDIAN")?;

    // The model's layouts (8-byte isize, usize and pointers, Go's 64-bit
    // int) and the native-endian encoding are asserted and tested only there.
    if width != "64" {
        return Err(format!(
            "r2go cannot build for {triple}: it has {width}-bit pointers, and r2go supports 64-bit targets only\n\
             hint: r2go's layouts assume 8-byte pointers, isize and usize, and a 64-bit Go int"
        ));
    }
    if endian != "little" {
        return Err(format!(
            "r2go cannot build for {triple}: it is big-endian, and r2go supports little-endian targets only\n\
             hint: r2go's encoding of results is tested on little-endian targets only"
        ));
    }
    let goos = goos(&os).ok_or_else(|| {
        format!("r2go cannot build for {triple}: Go has no GOOS for the target OS `{os}`")
    })?;
    let goarch = goarch(&arch).ok_or_else(|| {
        format!("r2go cannot build for {triple}: r2go knows no GOARCH for the target architecture `{arch}`")
    })?;
    if goos == "windows" && abi == "msvc" {
        return Err(format!(
            "r2go cannot build for {triple}: cgo needs a GNU C toolchain (mingw-w64), and MSVC's linker does not run a Go c-archive's init functions, where handlers are registered\n\
             hint: build for {}-pc-windows-gnu",
            arch
        ));
    }
    let goamd64 = match goarch {
        "amd64" if env.var("GOAMD64").is_none() => {
            amd64_level(&env.var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default())
        }
        _ => None,
    };
    let cc = c_compiler(env, &triple, &host, &arch, &os, &abi)?;
    check_linker(env, &triple, &host, &arch, &os, cc.as_deref())?;
    Ok(GoTarget {
        triple,
        goos,
        goarch,
        goamd64,
        cc,
    })
}

/// Go's name for Rust's `target_os`.
fn goos(os: &str) -> Option<&'static str> {
    Some(match os {
        "linux" => "linux",
        "android" => "android",
        "macos" => "darwin",
        "ios" => "ios",
        "windows" => "windows",
        "freebsd" => "freebsd",
        "netbsd" => "netbsd",
        "openbsd" => "openbsd",
        "dragonfly" => "dragonfly",
        "illumos" => "illumos",
        "solaris" => "solaris",
        _ => return None,
    })
}

/// Go's name for Rust's `target_arch` on a 64-bit little-endian target.
fn goarch(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "riscv64" => "riscv64",
        "powerpc64" => "ppc64le",
        "loongarch64" => "loong64",
        _ => return None,
    })
}

/// The highest `GOAMD64` level whose instructions the Rust target already
/// requires (`-C target-cpu=x86-64-v3`, say), so Go may use them too.
fn amd64_level(features: &str) -> Option<&'static str> {
    const V2: &[&str] = &["cmpxchg16b", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"];
    const V3: &[&str] = &[
        "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave",
    ];
    const V4: &[&str] = &["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
    let has = |set: &[&str]| set.iter().all(|f| features.split(',').any(|g| g == *f));
    match (has(V2), has(V3), has(V4)) {
        (true, true, true) => Some("v4"),
        (true, true, false) => Some("v3"),
        (true, false, _) => Some("v2"),
        _ => None,
    }
}

/// The C compiler cgo uses for the target: `CC_<target>`, `TARGET_CC` or
/// `CC` as the `cc` crate reads them; else cargo's linker for the target
/// when it is a C compiler driver; else, when cross-compiling, the
/// conventional cross compiler name. It must exist.
fn c_compiler(
    env: &Env,
    triple: &str,
    host: &str,
    arch: &str,
    os: &str,
    abi: &str,
) -> Result<Option<String>, String> {
    let set = cc_vars(triple, host).into_iter().find_map(|var| {
        env.var(&var)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, var))
    });
    let (cc, from) = if let Some((cc, var)) = set {
        (cc, format!("from {var}"))
    } else if let Some(linker) = env.var("RUSTC_LINKER").filter(|l| is_c_driver(l)) {
        (linker, format!("cargo's linker for {triple}"))
    } else if triple == host || (os == "macos" && host.ends_with("-apple-darwin")) {
        // Go's default compiler serves the host, and on macOS the other
        // architecture too (cgo passes -arch).
        return Ok(None);
    } else if let Some(name) = conventional_cc(arch, os, abi) {
        (
            name,
            "the conventional cross compiler for this target".to_string(),
        )
    } else {
        return Err(format!(
            "no C compiler for {triple}: r2go knows no conventional cross compiler for it\n\
             hint: set {} to a C compiler for {triple} (cgo compiles the Go side with it)",
            cc_vars(triple, host)[1]
        ));
    };
    let program = cc.split_whitespace().next().unwrap_or_default();
    if !exists(env, program) {
        let var = &cc_vars(triple, host)[1];
        let install = match debian_package(&cc) {
            Some(pkg) => format!("install it (Debian and Ubuntu: apt-get install {pkg}), or "),
            None => String::new(),
        };
        return Err(format!(
            "no C compiler for {triple}: `{program}` ({from}) is not on PATH\n\
             hint: {install}set {var} to a C compiler for {triple}"
        ));
    }
    Ok(Some(cc))
}

/// Whether cargo's linker is a C compiler driver (`cc`, `clang`,
/// `aarch64-linux-gnu-gcc`, `zig cc` in a script) rather than a bare linker
/// (`ld`, `rust-lld`, `lld-link`, `mold`), which cannot compile cgo's C.
fn is_c_driver(linker: &str) -> bool {
    let name = Path::new(linker.split_whitespace().next().unwrap_or_default())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    !(name.is_empty()
        || name == "ld"
        || name.starts_with("ld.")
        || name.starts_with("ld64")
        || name.ends_with("-ld")
        || name.contains("-ld.")
        || name.ends_with("lld")
        || name == "lld-link"
        || name == "link"
        || name == "mold")
}

/// The usual name of a cross C compiler for the target, as Debian and the
/// mingw-w64 and musl cross toolchains install it.
fn conventional_cc(arch: &str, os: &str, abi: &str) -> Option<String> {
    let arch = if arch == "powerpc64" {
        "powerpc64le"
    } else {
        arch
    };
    match (os, abi) {
        ("linux", "gnu") => Some(format!("{arch}-linux-gnu-gcc")),
        ("linux", "musl") => Some(format!("{arch}-linux-musl-gcc")),
        ("windows", "gnu") => Some(format!("{arch}-w64-mingw32-gcc")),
        _ => None,
    }
}

/// Debian's package of a conventional cross compiler.
fn debian_package(cc: &str) -> Option<String> {
    if let Some(gnu) = cc.strip_suffix("-linux-gnu-gcc") {
        return Some(format!("gcc-{}-linux-gnu", gnu.replace('_', "-")));
    }
    match cc {
        "x86_64-w64-mingw32-gcc" => Some("gcc-mingw-w64-x86-64".to_string()),
        _ => None,
    }
}

/// Whether `program` names a file: a path as given, or a name on `PATH`.
fn exists(env: &Env, program: &str) -> bool {
    if program.is_empty() {
        return false;
    }
    let path = Path::new(program);
    if path.components().count() > 1 {
        return path.is_file();
    }
    let dirs = env.var("PATH").unwrap_or_default();
    std::env::split_paths(&dirs).any(|d| {
        d.join(program).is_file() || (cfg!(windows) && d.join(format!("{program}.exe")).is_file())
    })
}

/// Fails a Linux cross build for which cargo has no linker: rustc would link
/// the target's objects with the host's `cc`, which fails with a page of
/// "file in wrong format" errors after everything else was built.
fn check_linker(
    env: &Env,
    triple: &str,
    host: &str,
    arch: &str,
    os: &str,
    cc: Option<&str>,
) -> Result<(), String> {
    let host_can_link = triple == host || (host.starts_with(arch) && host.contains("-linux-"));
    if os != "linux" || host_can_link || env.var("RUSTC_LINKER").is_some() {
        return Ok(());
    }
    let rustflags = env.var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let flags: Vec<&str> = rustflags.split('\x1f').collect();
    let sets_linker = flags.iter().enumerate().any(|(i, f)| {
        f.starts_with("-Clinker=")
            || (*f == "-C" && flags.get(i + 1).is_some_and(|n| n.starts_with("linker=")))
    });
    if sets_linker {
        return Ok(());
    }
    let linker = cc
        .and_then(|c| c.split_whitespace().next())
        .unwrap_or("<C compiler for the target>");
    let var = format!(
        "CARGO_TARGET_{}_LINKER",
        triple.to_uppercase().replace(['-', '.'], "_")
    );
    Err(format!(
        "cargo has no linker for {triple}, so rustc would link it with the host's `cc`\n\
         hint: add to .cargo/config.toml: [target.{triple}] linker = \"{linker}\" (or set {var}={linker})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A fresh directory holding empty executables named `names`, for PATH.
    fn bin_dir(names: &[&str]) -> super::super::tests::TempDir {
        let dir = super::super::tests::TempDir::new("bin");
        for n in names {
            std::fs::write(dir.path().join(n), "").expect("write a fake compiler");
        }
        dir
    }

    /// Cargo's build script environment for a target, plus `extra`.
    fn env(triple: &str, path: &Path, extra: &[(&str, &str)]) -> Env {
        let parts: Vec<&str> = triple.split('-').collect();
        let arch = match parts[0] {
            "riscv64gc" => "riscv64",
            "powerpc64le" => "powerpc64",
            "i686" => "x86",
            "armv7" => "arm",
            a => a,
        };
        let os = match triple {
            t if t.contains("-linux-") => "linux",
            t if t.ends_with("-apple-darwin") => "macos",
            t if t.contains("-windows-") => "windows",
            t if t.ends_with("-uefi") => "uefi",
            _ => "none",
        };
        let abi = parts.last().map_or("", |l| match *l {
            "gnu" => "gnu",
            "musl" => "musl",
            "msvc" => "msvc",
            _ => "",
        });
        let mut vars: BTreeMap<String, String> = [
            ("TARGET", triple),
            ("HOST", "x86_64-unknown-linux-gnu"),
            ("CARGO_CFG_TARGET_ARCH", arch),
            ("CARGO_CFG_TARGET_OS", os),
            ("CARGO_CFG_TARGET_ENV", abi),
            (
                "CARGO_CFG_TARGET_POINTER_WIDTH",
                if matches!(arch, "x86" | "arm") {
                    "32"
                } else {
                    "64"
                },
            ),
            (
                "CARGO_CFG_TARGET_ENDIAN",
                if triple.starts_with("powerpc64-") || triple.starts_with("s390x") {
                    "big"
                } else {
                    "little"
                },
            ),
            ("PATH", path.to_str().expect("a UTF-8 path")),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        Env::Fixed(vars)
    }

    const ARM: &str = "aarch64-unknown-linux-gnu";
    const ARM_LINKER: (&str, &str) = ("RUSTC_LINKER", "aarch64-linux-gnu-gcc");

    #[test]
    fn arm64_linux_uses_the_conventional_cross_compiler() {
        let bin = bin_dir(&["aarch64-linux-gnu-gcc"]);
        let t = resolve(&env(ARM, bin.path(), &[])).unwrap_err();
        // Without cargo's linker the Go side would build and the link fail.
        assert_eq!(
            t,
            "cargo has no linker for aarch64-unknown-linux-gnu, so rustc would link it with the host's `cc`\n\
             hint: add to .cargo/config.toml: [target.aarch64-unknown-linux-gnu] linker = \"aarch64-linux-gnu-gcc\" \
             (or set CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc)"
        );
        let t = resolve(&env(ARM, bin.path(), &[ARM_LINKER])).unwrap();
        assert_eq!(
            t,
            GoTarget {
                triple: ARM.into(),
                goos: "linux",
                goarch: "arm64",
                goamd64: None,
                cc: Some("aarch64-linux-gnu-gcc".into()),
            }
        );
        assert_eq!(
            t.go_env(),
            [
                ("GOOS", "linux".to_string()),
                ("GOARCH", "arm64".to_string()),
                ("CGO_ENABLED", "1".to_string()),
                ("CC", "aarch64-linux-gnu-gcc".to_string()),
            ]
        );
        // A linker given in RUSTFLAGS counts too, and then the conventional
        // name is the compiler.
        let flags = "-C\x1flinker=aarch64-linux-gnu-gcc";
        let t = resolve(&env(ARM, bin.path(), &[("CARGO_ENCODED_RUSTFLAGS", flags)])).unwrap();
        assert_eq!(t.cc.as_deref(), Some("aarch64-linux-gnu-gcc"));
    }

    #[test]
    fn a_missing_cross_compiler_names_the_package_and_the_variable() {
        let empty = bin_dir(&[]);
        let err = resolve(&env(ARM, empty.path(), &[])).unwrap_err();
        assert_eq!(
            err,
            "no C compiler for aarch64-unknown-linux-gnu: `aarch64-linux-gnu-gcc` (the conventional cross compiler for this target) is not on PATH\n\
             hint: install it (Debian and Ubuntu: apt-get install gcc-aarch64-linux-gnu), or set CC_aarch64_unknown_linux_gnu to a C compiler for aarch64-unknown-linux-gnu"
        );
        let err = resolve(&env(
            ARM,
            empty.path(),
            &[("CC_aarch64_unknown_linux_gnu", "my-gcc -O2")],
        ))
        .unwrap_err();
        assert_eq!(
            err,
            "no C compiler for aarch64-unknown-linux-gnu: `my-gcc` (from CC_aarch64_unknown_linux_gnu) is not on PATH\n\
             hint: set CC_aarch64_unknown_linux_gnu to a C compiler for aarch64-unknown-linux-gnu"
        );
    }

    #[test]
    fn the_compiler_is_chosen_as_the_cc_crate_chooses_it() {
        let bin = bin_dir(&[
            "a-cc",
            "b-cc",
            "c-cc",
            "d-cc",
            "aarch64-linux-gnu-gcc",
            "clang",
        ]);
        let cc = |extra: &[(&str, &str)]| resolve(&env(ARM, bin.path(), extra)).unwrap().cc;
        let all = [
            ("CC_aarch64-unknown-linux-gnu", "a-cc"),
            ("CC_aarch64_unknown_linux_gnu", "b-cc"),
            ("TARGET_CC", "c-cc"),
            ("CC", "d-cc"),
            ("RUSTC_LINKER", "clang"),
        ];
        for i in 0..all.len() {
            assert_eq!(
                cc(&all[i..]).as_deref(),
                Some(all[i].1),
                "with {:?}",
                &all[i..]
            );
        }
        // HOST_CC is for the host, and a bare linker is not a C compiler.
        assert_eq!(
            cc(&[("HOST_CC", "a-cc"), ("RUSTC_LINKER", "rust-lld")]).as_deref(),
            Some("aarch64-linux-gnu-gcc")
        );
        // On the host Go's default compiler stays unless one is chosen.
        let host = "x86_64-unknown-linux-gnu";
        let on_host = |extra: &[(&str, &str)]| resolve(&env(host, bin.path(), extra)).unwrap();
        assert_eq!(on_host(&[]).cc, None);
        assert_eq!(on_host(&[("TARGET_CC", "a-cc")]).cc, None);
        assert_eq!(on_host(&[("HOST_CC", "b-cc")]).cc.as_deref(), Some("b-cc"));
        assert_eq!(
            on_host(&[("RUSTC_LINKER", "clang")]).cc.as_deref(),
            Some("clang")
        );
    }

    #[test]
    fn amd64_follows_the_rust_target_level() {
        let bin = bin_dir(&[]);
        let host = "x86_64-unknown-linux-gnu";
        let v2 = "cmpxchg16b,fxsr,popcnt,sse,sse2,sse3,sse4.1,sse4.2,ssse3";
        let v3 = format!("avx,avx2,bmi1,bmi2,f16c,fma,lzcnt,movbe,xsave,{v2}");
        let v4 = format!("avx512bw,avx512cd,avx512dq,avx512f,avx512vl,{v3}");
        let level = |features: &str, extra: &[(&str, &str)]| {
            let mut vars = vec![("CARGO_CFG_TARGET_FEATURE", features)];
            vars.extend_from_slice(extra);
            resolve(&env(host, bin.path(), &vars)).unwrap().goamd64
        };
        assert_eq!(level("fxsr,sse,sse2", &[]), None);
        assert_eq!(level(v2, &[]), Some("v2"));
        assert_eq!(level(&v3, &[]), Some("v3"));
        assert_eq!(level(&v4, &[]), Some("v4"));
        // v3 without one of its features is v2.
        assert_eq!(level(&v3.replace("movbe,", ""), &[]), Some("v2"));
        // The environment's choice stands.
        assert_eq!(level(&v3, &[("GOAMD64", "v1")]), None);
    }

    #[test]
    fn other_operating_systems() {
        let bin = bin_dir(&["x86_64-w64-mingw32-gcc"]);
        let t = resolve(&env("x86_64-pc-windows-gnu", bin.path(), &[])).unwrap();
        assert_eq!(
            (t.goos, t.goarch, t.cc.as_deref()),
            ("windows", "amd64", Some("x86_64-w64-mingw32-gcc"))
        );
        let darwin = |triple, host| {
            let e = env(triple, bin.path(), &[("HOST", host)]);
            let t = resolve(&e).unwrap();
            (t.goos, t.goarch, t.cc)
        };
        assert_eq!(
            darwin("aarch64-apple-darwin", "x86_64-apple-darwin"),
            ("darwin", "arm64", None)
        );
        let err = resolve(&env("aarch64-apple-darwin", bin.path(), &[])).unwrap_err();
        assert_eq!(
            err,
            "no C compiler for aarch64-apple-darwin: r2go knows no conventional cross compiler for it\n\
             hint: set CC_aarch64_apple_darwin to a C compiler for aarch64-apple-darwin (cgo compiles the Go side with it)"
        );
        let err = resolve(&env("x86_64-pc-windows-msvc", bin.path(), &[])).unwrap_err();
        assert_eq!(
            err,
            "r2go cannot build for x86_64-pc-windows-msvc: cgo needs a GNU C toolchain (mingw-w64), and MSVC's linker does not run a Go c-archive's init functions, where handlers are registered\n\
             hint: build for x86_64-pc-windows-gnu"
        );
        let err = resolve(&env("x86_64-unknown-uefi", bin.path(), &[])).unwrap_err();
        assert_eq!(
            err,
            "r2go cannot build for x86_64-unknown-uefi: Go has no GOOS for the target OS `uefi`"
        );
    }

    #[test]
    fn targets_outside_the_layout_assumptions_are_rejected() {
        let bin = bin_dir(&[]);
        let err = |triple| resolve(&env(triple, bin.path(), &[])).unwrap_err();
        assert_eq!(
            err("i686-unknown-linux-gnu"),
            "r2go cannot build for i686-unknown-linux-gnu: it has 32-bit pointers, and r2go supports 64-bit targets only\n\
             hint: r2go's layouts assume 8-byte pointers, isize and usize, and a 64-bit Go int"
        );
        assert_eq!(
            err("armv7-unknown-linux-gnueabihf"),
            "r2go cannot build for armv7-unknown-linux-gnueabihf: it has 32-bit pointers, and r2go supports 64-bit targets only\n\
             hint: r2go's layouts assume 8-byte pointers, isize and usize, and a 64-bit Go int"
        );
        assert_eq!(
            err("powerpc64-unknown-linux-gnu"),
            "r2go cannot build for powerpc64-unknown-linux-gnu: it is big-endian, and r2go supports little-endian targets only\n\
             hint: r2go's encoding of results is tested on little-endian targets only"
        );
        let other = bin_dir(&["powerpc64le-linux-gnu-gcc", "riscv64-linux-gnu-gcc"]);
        let ok = |triple, linker| {
            let e = env(triple, other.path(), &[("RUSTC_LINKER", linker)]);
            let t = resolve(&e).unwrap();
            (t.goos, t.goarch)
        };
        assert_eq!(
            ok("powerpc64le-unknown-linux-gnu", "powerpc64le-linux-gnu-gcc"),
            ("linux", "ppc64le")
        );
        assert_eq!(
            ok("riscv64gc-unknown-linux-gnu", "riscv64-linux-gnu-gcc"),
            ("linux", "riscv64")
        );
    }

    #[test]
    fn bare_linkers_are_not_c_compilers() {
        for l in [
            "ld",
            "ld.lld",
            "ld64.lld",
            "aarch64-linux-gnu-ld",
            "aarch64-linux-gnu-ld.bfd",
            "rust-lld",
            "/usr/bin/lld",
            "lld-link.exe",
            "link.exe",
            "mold",
        ] {
            assert!(!is_c_driver(l), "{l}");
        }
        for c in [
            "cc",
            "gcc",
            "clang",
            "/usr/bin/aarch64-linux-gnu-gcc",
            "x86_64-w64-mingw32-gcc.exe",
            "zigcc-wrapper",
        ] {
            assert!(is_c_driver(c), "{c}");
        }
    }
}
