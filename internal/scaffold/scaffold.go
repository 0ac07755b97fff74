// Package scaffold creates a new r2go project, `rust2go-cli init DIR`: a
// crate whose build.rs links Go handlers, with one sync and one async method,
// tests on both sides, and gen/gen.go already generated, so that `cargo run`
// works at once.
//
// Until r2go is published, the project uses a local r2go checkout through a
// path dependency in Cargo.toml and a replace directive in go.mod.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"text/template"

	"r2go.dev/r2go/internal/cli"
)

// The project's files, each with a .tmpl suffix so that the Go and Cargo
// tools of this repository do not take them for its own sources.
//
//go:embed all:project
var project embed.FS

// GoModulePath is the module path of r2go's Go module.
const GoModulePath = "r2go.dev/r2go"

// Options say what to create.
type Options struct {
	// Dir is the new project's directory. It may exist, but none of the
	// files the scaffold writes may.
	Dir string
	// Checkout is the r2go checkout the project uses. A relative path is
	// written into Cargo.toml and go.mod relative to Dir, an absolute one as
	// it is. Empty: the checkout this command was built from, absolute.
	Checkout string
	// Crate is the Rust package name; empty: Dir's base name.
	Crate string
	// Module is the Go module path; empty: example.com/<crate>.
	Module string
}

// params fill the templates.
type params struct {
	Crate      string // Rust package name: my-app
	CrateIdent string // its name in Rust code: my_app
	Module     string // Go module path
	GoModule   string // the r2go checkout, as go.mod's replace names it
	RustCrate  string // the r2go crate in that checkout, as Cargo.toml names it
}

var crateName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Create writes the project and generates gen/gen.go. It returns the files
// it wrote, relative to opts.Dir and sorted. It writes nothing when one of
// them exists already.
func Create(opts Options) ([]string, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	p, err := resolve(opts, dir)
	if err != nil {
		return nil, inputError{err}
	}
	files, err := render(p)
	if err != nil {
		return nil, err
	}
	const genGo = "gen/gen.go"
	names := []string{genGo}
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var exist []string
	for _, name := range names {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
			exist = append(exist, name)
		}
	}
	if len(exist) > 0 {
		return nil, fmt.Errorf("%s already holds %s; init writes only new files and changed nothing", opts.Dir, strings.Join(exist, ", "))
	}
	for _, name := range names {
		if name == genGo {
			continue
		}
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(name)), files[name]); err != nil {
			return nil, err
		}
	}
	// The generator itself writes gen.go, exactly as build.rs checks it.
	var stderr bytes.Buffer
	args := []string{"--src", filepath.Join(dir, "src", "user.rs"), "--dst", filepath.Join(dir, "gen", "gen.go")}
	if code := cli.Run(args, io.Discard, &stderr); code != cli.ExitOK {
		return nil, fmt.Errorf("generating gen/gen.go: %s", strings.TrimSpace(stderr.String()))
	}
	return names, nil
}

// inputError is a problem with the options rather than with the file system.
type inputError struct{ error }

// resolve derives the template parameters from opts.
func resolve(opts Options, dir string) (params, error) {
	crate := opts.Crate
	if crate == "" {
		crate = strings.ToLower(filepath.Base(dir))
	}
	if !crateName.MatchString(crate) {
		return params{}, fmt.Errorf("%q is not a usable crate name (lower-case letters, digits, - and _, starting with a letter); name one with --name", crate)
	}
	module := opts.Module
	if module == "" {
		module = "example.com/" + crate
	}
	checkout := opts.Checkout
	if checkout == "" {
		var err error
		if checkout, err = builtFrom(); err != nil {
			return params{}, err
		}
	}
	abs, err := filepath.Abs(checkout)
	if err != nil {
		return params{}, err
	}
	if err := isCheckout(abs); err != nil {
		return params{}, err
	}
	goPath := filepath.ToSlash(abs)
	if !filepath.IsAbs(checkout) {
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			return params{}, err
		}
		goPath = filepath.ToSlash(rel)
		// go.mod takes a directory only when it starts with ./ or ../.
		if goPath != ".." && !strings.HasPrefix(goPath, "../") {
			goPath = "./" + goPath
		}
	}
	return params{
		Crate:      crate,
		CrateIdent: strings.ReplaceAll(crate, "-", "_"),
		Module:     module,
		GoModule:   goPath,
		RustCrate:  path.Join(goPath, "rust/r2go"),
	}, nil
}

// builtFrom returns the r2go checkout this package was compiled from; the
// compiler records the source file's path unless -trimpath hides it.
func builtFrom() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", errors.New("cannot tell which r2go checkout this command was built from; name one with --r2go")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file))), nil
}

// isCheckout checks that dir holds r2go's Go module and Rust crate.
func isCheckout(dir string) error {
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	first, _, _ := strings.Cut(string(mod), "\n")
	if err != nil || strings.TrimSpace(first) != "module "+GoModulePath {
		return fmt.Errorf("%s is not an r2go checkout: its go.mod is not module %s", dir, GoModulePath)
	}
	if _, err := os.Stat(filepath.Join(dir, "rust", "r2go", "Cargo.toml")); err != nil {
		return fmt.Errorf("%s is not an r2go checkout: it has no rust/r2go/Cargo.toml", dir)
	}
	return nil
}

// render fills every template; the keys are the project's file names.
func render(p params) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(project, "project", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := project.ReadFile(name)
		if err != nil {
			return err
		}
		t, err := template.New(name).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := t.Execute(&out, p); err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(name, "project/"), ".tmpl")
		switch rel {
		case "gitignore":
			rel = ".gitignore" // named so that git does not apply it to this directory
		case "cargo/config.toml":
			rel = ".cargo/config.toml" // likewise for cargo
		}
		files[rel] = dropSnippetMarkers(out.Bytes())
		return nil
	})
	return files, err
}

// dropSnippetMarkers removes the lines that mark the regions
// docs/cookbook.md quotes; the new project has no use for them.
func dropSnippetMarkers(data []byte) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	var out strings.Builder
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "// snippet: ") || t == "// end snippet" {
			continue
		}
		out.WriteString(l)
	}
	return []byte(out.String())
}

// writeNew creates path and its directory; it fails if path exists.
func writeNew(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Run is `rust2go-cli init` with args (after "init").
func Run(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("rust2go-cli init", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var opts Options
	fset.StringVar(&opts.Checkout, "r2go", "", "the r2go checkout the project uses (default: the one this command was built from)")
	fset.StringVar(&opts.Crate, "name", "", "the Rust package name (default: DIR's base name)")
	fset.StringVar(&opts.Module, "module", "", "the Go module path (default: example.com/NAME)")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: rust2go-cli init [flags] DIR")
		fmt.Fprintln(stderr, "creates a new r2go project in DIR (which may exist, but not the files it writes)")
		fset.PrintDefaults()
	}
	// Flags may come after DIR too.
	var dirs []string
	for {
		if err := fset.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return cli.ExitOK
			}
			return cli.ExitInput
		}
		if fset.NArg() == 0 {
			break
		}
		dirs = append(dirs, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(dirs) != 1 {
		fset.Usage()
		return cli.ExitInput
	}
	opts.Dir = dirs[0]
	names, err := Create(opts)
	if err != nil {
		fmt.Fprintf(stderr, "rust2go-cli init: %v\n", err)
		if errors.As(err, new(inputError)) {
			return cli.ExitInput
		}
		return cli.ExitIO
	}
	for _, name := range names {
		fmt.Fprintf(stdout, "created %s\n", path.Join(filepath.ToSlash(opts.Dir), name))
	}
	fmt.Fprintf(stdout, "next: cd %s && cargo run\n", opts.Dir)
	return cli.ExitOK
}
