// Generates the Rust glue of every testdata/golden/*.rs into OUT_DIR/r2go,
// so that compiling this crate proves the golden Rust output compiles. Each
// input's Go file goes to a scratch directory in OUT_DIR and is not used.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let module = manifest.join("../..");
    let golden = module.join("testdata/golden");
    for dir in ["testdata/golden", "internal", "cmd"] {
        println!("cargo::rerun-if-changed={}", module.join(dir).display());
    }
    let cli = out.join("rust2go-cli");
    let status = Command::new("go")
        .current_dir(&module)
        .args(["build", "-buildvcs=false", "-o"])
        .arg(&cli)
        .arg("./cmd/rust2go-cli")
        .status()
        .expect("run go build");
    assert!(status.success(), "go build of the generator failed");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&golden)
        .expect("read testdata/golden")
        .map(|e| e.expect("read testdata/golden").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    inputs.sort();
    let glue = out.join("r2go");
    let _ = std::fs::remove_dir_all(&glue);
    for input in inputs {
        let name = input
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let dst = out.join("go").join(&name);
        std::fs::create_dir_all(&dst).expect("create a scratch directory");
        let run = Command::new(&cli)
            .arg("--src")
            .arg(&input)
            .arg("--dst")
            .arg(dst.join("gen.go"))
            .arg("--rs-dst")
            .arg(out.join("r2go-").join(&name))
            .output()
            .expect("run rust2go-cli");
        assert!(
            run.status.success(),
            "rust2go-cli failed on {}: {}",
            input.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        // Item names are distinct across the golden inputs, so one directory
        // holds the glue of all of them.
        std::fs::create_dir_all(&glue).expect("create OUT_DIR/r2go");
        for f in std::fs::read_dir(out.join("r2go-").join(&name)).expect("read the glue") {
            let f = f.expect("read the glue").path();
            let target = glue.join(f.file_name().expect("a file name"));
            assert!(
                !target.exists(),
                "two golden inputs define {}",
                target.display()
            );
            std::fs::copy(&f, &target).expect("copy the glue");
        }
    }
}
