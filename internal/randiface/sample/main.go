// Command sample lays out a cargo workspace with one crate per interface
// (each user.rs given as an argument, then -random interfaces from -seed on,
// those the generator accepts), with the Rust glue rust2go-cli generates for
// it, so that `cargo check` proves the glue compiles. rust/compat's glue
// test runs it.
//
//	go run ./internal/randiface/sample -out DIR -r2go rust/r2go -random 24 testdata/golden/*.rs
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"r2go.dev/r2go/internal/cli"
	"r2go.dev/r2go/internal/idl"
	"r2go.dev/r2go/internal/model"
	"r2go.dev/r2go/internal/randiface"
)

func main() {
	out := flag.String("out", "", "the workspace directory to create (required)")
	r2go := flag.String("r2go", "", "the r2go crate's directory (required)")
	random := flag.Int("random", 0, "how many random interfaces to try")
	seed := flag.Int64("seed", 1, "the first random seed")
	flag.Parse()
	if *out == "" || *r2go == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *r2go, *random, *seed, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "sample:", err)
		os.Exit(1)
	}
}

func run(out, r2go string, random int, seed int64, inputs []string) error {
	r2go, err := filepath.Abs(r2go)
	if err != nil {
		return err
	}
	type input struct {
		name string
		src  []byte
	}
	var all []input
	for _, path := range inputs {
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(path), ".rs")
		all = append(all, input{"golden_" + name, src})
	}
	for i := range random {
		s := seed + int64(i)
		src := randiface.Interface(s)
		// Only interfaces the generator accepts have glue to compile.
		if f, err := idl.Parse("user.rs", src); err != nil {
			continue
		} else if _, err := model.Build(f, model.Options{GoPackage: "gen"}); err != nil {
			continue
		}
		all = append(all, input{"random_" + strconv.FormatInt(s, 10), src})
	}
	var members []string
	for _, in := range all {
		dir := filepath.Join(out, in.name)
		if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
			return err
		}
		user := filepath.Join(dir, "src", "user.rs")
		if err := os.WriteFile(user, in.src, 0o644); err != nil {
			return err
		}
		var stderr bytes.Buffer
		if code := cli.Run([]string{"--src", user, "--dst", filepath.Join(dir, "gen", "gen.go"),
			"--rs-dst", filepath.Join(dir, "glue")}, &bytes.Buffer{}, &stderr); code != cli.ExitOK {
			return fmt.Errorf("%s: rust2go-cli failed: %s", in.name, stderr.String())
		}
		files := map[string]string{
			"Cargo.toml": fmt.Sprintf(`[package]
name = %q
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
r2go = { path = %q }
futures-core = "0.3"
`, strings.ReplaceAll(in.name, "_", "-"), r2go),
			"build.rs": `// Puts the glue rust2go-cli generated into OUT_DIR/r2go, as r2go's build helper does.
fn main() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("r2go");
    std::fs::create_dir_all(&out).unwrap();
    for f in std::fs::read_dir("glue").unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, out.join(f.file_name().unwrap())).unwrap();
    }
    println!("cargo::rerun-if-changed=glue");
}
`,
			"src/lib.rs": `// The user.rs may name the runtime rust2go, as after a dependency rename.
extern crate r2go as rust2go;

// Lints about the user's own names and items; the glue must pass the rest.
#[allow(non_snake_case, non_camel_case_types, unused_imports, dead_code)]
pub mod user;
`,
		}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return err
			}
		}
		members = append(members, strconv.Quote(in.name))
	}
	ws := "[workspace]\nresolver = \"2\"\nmembers = [" + strings.Join(members, ", ") + "]\n"
	if err := os.WriteFile(filepath.Join(out, "Cargo.toml"), []byte(ws), 0o644); err != nil {
		return err
	}
	// A Go module of its own keeps the generated Go files out of the
	// enclosing module's `go vet ./...` and `go test ./...`.
	if err := os.WriteFile(filepath.Join(out, "go.mod"), []byte("module sample\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d crates in %s\n", len(members), out)
	return nil
}
