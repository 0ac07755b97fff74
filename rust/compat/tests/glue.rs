//! The Rust half of the generator's property: the glue of every interface
//! it accepts compiles without warnings. Every golden input
//! (`testdata/golden/*.rs`) and a sample of random valid interfaces
//! (`internal/randiface`) become one crate each, in a workspace laid out by
//! `go run ./internal/randiface/sample`, and `cargo check` compiles them all
//! with `-D warnings`. The Go half (type-checking the generated Go of many
//! more random interfaces) is `TestRandomInterfacesCompile`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many random interfaces are tried (those the generator accepts are
/// compiled), and the first seed: fixed, so that a failure reproduces.
const RANDOM: u32 = 40;
const SEED: u32 = 1;

/// A bound on each command, so that a hang fails the test with a message.
const LIMIT: Duration = Duration::from_secs(20 * 60);

fn run(what: &str, cmd: &mut Command) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            assert!(status.success(), "{what} failed ({status})");
            return;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("{what} did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn glue_of_golden_and_random_interfaces_compiles_without_warnings() {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let module = module.canonicalize().expect("the module root");
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("glue");
    let crates = work.join("crates");
    let _ = std::fs::remove_dir_all(&crates);

    let mut goldens: Vec<PathBuf> = std::fs::read_dir(module.join("testdata/golden"))
        .expect("read testdata/golden")
        .map(|e| e.expect("read testdata/golden").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    goldens.sort();
    assert!(goldens.len() >= 6, "golden inputs missing: {goldens:?}");

    run(
        "go run ./internal/randiface/sample",
        Command::new("go")
            .current_dir(&module)
            .args(["run", "./internal/randiface/sample", "-out"])
            .arg(&crates)
            .arg("-r2go")
            .arg(module.join("rust/r2go"))
            .args(["-random", &RANDOM.to_string(), "-seed", &SEED.to_string()])
            .args(&goldens),
    );
    // The r2go crate's own lock file pins what the sample crates resolve.
    std::fs::copy(module.join("rust/Cargo.lock"), crates.join("Cargo.lock"))
        .expect("copy Cargo.lock");
    let members = std::fs::read_dir(&crates)
        .expect("read the workspace")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    assert!(
        members >= goldens.len() + RANDOM as usize / 2,
        "only {members} crates to compile"
    );

    run(
        "cargo check of the sample workspace",
        Command::new(env!("CARGO"))
            .current_dir(&crates)
            .args(["check", "--workspace", "--quiet"])
            .env("CARGO_TARGET_DIR", work.join("target"))
            .env("RUSTFLAGS", "-D warnings")
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    );
    println!("compiled the glue of {members} interfaces");
}
