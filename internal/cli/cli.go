// Package cli is rust2go-cli: it reads user.rs, builds the model and writes
// the Go package (and, for build.rs, the Rust glue). Only this package touches
// the file system, and it replaces files atomically.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"r2go.dev/r2go/internal/gogen"
	"r2go.dev/r2go/internal/idl"
	"r2go.dev/r2go/internal/model"
	"r2go.dev/r2go/internal/protogen"
	"r2go.dev/r2go/internal/rustgen"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitInput = 1 // bad flags or a bad user.rs
	ExitIO    = 2 // a file could not be read or written
	ExitStale = 3 // --check found --dst out of date
)

// RegenerateCommand is what a user runs to refresh the Go file.
func RegenerateCommand(src, dst string) string {
	return fmt.Sprintf("go run r2go.dev/r2go/cmd/rust2go-cli --src %s --dst %s", src, dst)
}

// Run runs rust2go-cli with args (without the program name).
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rust2go-cli", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "", "the user.rs to read (required)")
	dst := fs.String("dst", "", "the Go file to write (required)")
	pkg := fs.String("package", "", "package name of the Go file (default: the name of its directory)")
	rsDst := fs.String("rs-dst", "", "also write the Rust glue into this directory (build.rs uses it)")
	rsCrate := fs.String("rust-crate", "", "name of the r2go crate in the Rust crate (default: read off user.rs attributes, else r2go)")
	protoDst := fs.String("proto", "", "also write the protobuf description (a .proto file) of the interface here, for gRPC clients")
	check := fs.Bool("check", false, "do not write --dst; fail if it differs from what would be generated")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: rust2go-cli --src rust/src/user.rs --dst gen/gen.go [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitInput
	}
	if *src == "" || *dst == "" || fs.NArg() > 0 {
		fs.Usage()
		return ExitInput
	}
	if *pkg == "" {
		*pkg = packageName(*dst)
	}

	text, err := os.ReadFile(*src)
	if err != nil {
		fmt.Fprintf(stderr, "rust2go-cli: %v\n", err)
		return ExitIO
	}
	file, err := idl.Parse(*src, text)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInput
	}
	m, err := model.Build(file, model.Options{GoPackage: *pkg})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInput
	}
	for _, w := range m.Warnings {
		fmt.Fprintln(stderr, w)
	}
	goSrc, err := gogen.Generate(m, filepath.Base(*src))
	if err != nil {
		fmt.Fprintf(stderr, "rust2go-cli: %v\n", err)
		return ExitIO
	}
	if *rsDst != "" {
		crate := m.RustCrate
		if *rsCrate != "" {
			crate = *rsCrate
		}
		if err := writeGlue(*rsDst, rustgen.Generate(m, crate)); err != nil {
			fmt.Fprintf(stderr, "rust2go-cli: %v\n", err)
			return ExitIO
		}
	}
	if *protoDst != "" && !*check {
		if err := writeIfChanged(*protoDst, protogen.Generate(m, filepath.Base(*src))); err != nil {
			fmt.Fprintf(stderr, "rust2go-cli: %v\n", err)
			return ExitIO
		}
		fmt.Fprintf(stdout, "wrote %s\n", *protoDst)
	}
	if *check {
		old, err := os.ReadFile(*dst)
		if err == nil && bytes.Equal(old, goSrc) {
			return ExitOK
		}
		what := "is stale: it was not generated from " + *src + " as it is now"
		if errors.Is(err, os.ErrNotExist) {
			what = "does not exist"
		}
		fmt.Fprintf(stderr, "%s %s; regenerate it with: %s\n", *dst, what, RegenerateCommand(*src, *dst))
		return ExitStale
	}
	if err := writeIfChanged(*dst, goSrc); err != nil {
		fmt.Fprintf(stderr, "rust2go-cli: %v\n", err)
		return ExitIO
	}
	fmt.Fprintf(stdout, "wrote %s\n", *dst)
	return ExitOK
}

// packageName derives a Go package name from the output directory.
func packageName(dst string) string {
	abs, err := filepath.Abs(dst)
	if err != nil {
		abs = dst
	}
	name := strings.ToLower(filepath.Base(filepath.Dir(abs)))
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, name)
	return name
}

// writeGlue writes the Rust files into dir and removes glue files that are
// no longer generated.
func writeGlue(dir string, files []rustgen.File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		if err := writeIfChanged(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.rs"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !keep[filepath.Base(p)] {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeIfChanged replaces path with data atomically (a temporary file in the
// same directory, then a rename), and leaves it untouched when it already
// holds data, so that build tools watching it do not rebuild for nothing.
// It creates the directory of path when it is missing.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
