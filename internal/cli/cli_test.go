package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"r2go.dev/r2go/internal/gogen"
	"r2go.dev/r2go/internal/golden"
)

const testdata = "../../testdata"

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// scratchDst makes a temporary directory holding an empty package directory
// pkg, and returns the directory and the path of pkg/gen.go in it.
func scratchDst(t *testing.T, pkg string) (dir, dst string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, pkg), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, pkg, "gen.go")
}

// TestGolden runs the CLI on every testdata/golden/*.rs and compares the Go
// file, the Rust glue files and the warnings with golden files.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(testdata, "golden", "*.rs"))
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".rs")
		t.Run(name, func(t *testing.T) {
			dir, dst := scratchDst(t, "bridge")
			protoDst := filepath.Join(dir, "bridge", "bridge.proto")
			code, _, stderr := run(t, "--src", in, "--dst", dst, "--rs-dst", filepath.Join(dir, "rs"), "--proto", protoDst)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			out := filepath.Join(testdata, "golden", name)
			goSrc, _ := os.ReadFile(dst)
			golden.Check(t, out+".go.golden", goSrc)
			protoSrc, _ := os.ReadFile(protoDst)
			golden.Check(t, out+".proto.golden", protoSrc)
			var rs bytes.Buffer
			files, _ := filepath.Glob(filepath.Join(dir, "rs", "*.rs"))
			for _, f := range files {
				data, _ := os.ReadFile(f)
				rs.WriteString("// ==> " + filepath.Base(f) + "\n")
				rs.Write(data)
			}
			golden.Check(t, out+".rs.golden", rs.Bytes())
			golden.Check(t, out+".warnings.golden", []byte(stderr))
		})
	}
}

// TestGoldenGoCompiles vets each generated Go file as a package of a
// scratch module that uses this module's runtime, so the golden files cannot
// drift into code that does not build.
func TestGoldenGoCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	goldens, _ := filepath.Glob(filepath.Join(testdata, "golden", "*.go.golden"))
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".go.golden")
		t.Run(name, func(t *testing.T) {
			mod := t.TempDir()
			gomod := "module scratch\n\ngo 1.24\n\nrequire r2go.dev/r2go v0.0.0\n\nreplace r2go.dev/r2go => " + root + "\n"
			src, _ := os.ReadFile(g)
			os.MkdirAll(filepath.Join(mod, "bridge"), 0o755)
			os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644)
			os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644)
			os.WriteFile(filepath.Join(mod, "bridge", "gen.go"), src, 0o644)
			cmd := exec.Command("go", "vet", "-mod=mod", "./bridge")
			cmd.Dir = mod
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("generated Go does not vet: %v\n%s", err, out)
			}
		})
	}
}

// TestErrors runs the CLI on every testdata/errors/*.rs: it must fail with
// exactly the text in the matching .err file and write nothing.
func TestErrors(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(testdata, "errors", "*.rs"))
	if len(inputs) == 0 {
		t.Fatal("no error inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".rs")
		t.Run(name, func(t *testing.T) {
			dir, dst := scratchDst(t, "gen")
			// Paths in messages are as given, so give the same one every time.
			src := "testdata/errors/" + name + ".rs"
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(dir, "testdata", "errors"), 0o755)
			os.WriteFile(filepath.Join(dir, src), data, 0o644)
			code, _, stderr := runIn(t, dir, "--src", src, "--dst", dst, "--rs-dst", filepath.Join(dir, "rs"))
			if code != ExitInput {
				t.Errorf("exit code %d, want %d", code, ExitInput)
			}
			golden.Check(t, strings.TrimSuffix(in, ".rs")+".err", []byte(stderr))
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("%s was written despite the errors", dst)
			}
			if _, err := os.Stat(filepath.Join(dir, "rs")); !os.IsNotExist(err) {
				t.Errorf("rust glue was written despite the errors")
			}
		})
	}
}

func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	return run(t, args...)
}

// TestCommittedGenIsFresh fails when a committed generated Go file (the
// demo's, the benchmark suite's) was not regenerated after its user.rs or
// the generator changed.
func TestCommittedGenIsFresh(t *testing.T) {
	for src, dst := range map[string]string{
		"rust/src/user.rs":       "gen/gen.go",
		"bench/r2go/src/user.rs": "bench/r2go/gen/gen.go",
	} {
		code, _, stderr := run(t, "--src", "../../"+src, "--dst", "../../"+dst, "--check")
		if code != ExitOK {
			t.Errorf("%s is stale (exit %d): %s", dst, code, stderr)
		}
	}
}

func TestCheckReportsStaleAndMissingFiles(t *testing.T) {
	_, dst := scratchDst(t, "gen")
	src := filepath.Join(testdata, "golden", "rust2go_compat.rs")

	code, _, stderr := run(t, "--src", src, "--dst", dst, "--check")
	want := dst + " does not exist; regenerate it with: go run r2go.dev/r2go/cmd/rust2go-cli --src " + src + " --dst " + dst + "\n"
	if code != ExitStale || !strings.HasSuffix(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want exit %d ending in %q", code, stderr, ExitStale, want)
	}
	if code, _, stderr := run(t, "--src", src, "--dst", dst); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "--src", src, "--dst", dst, "--check"); code != ExitOK {
		t.Fatalf("fresh file reported stale: %s", stderr)
	}
	os.WriteFile(dst, []byte("package gen\n"), 0o644)
	code, _, stderr = run(t, "--src", src, "--dst", dst, "--check")
	if code != ExitStale || !strings.Contains(stderr, dst+" is stale: it was not generated from "+src+" as it is now; regenerate it with: ") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(dst); string(data) != "package gen\n" {
		t.Fatalf("--check modified %s", dst)
	}
}

// TestBadInputKeepsTheOldFile: a failed run leaves the previous output whole
// and no temporary files behind.
func TestBadInputKeepsTheOldFile(t *testing.T) {
	dir, dst := scratchDst(t, "gen")
	os.WriteFile(dst, []byte("old content\n"), 0o644)
	bad := filepath.Join(dir, "user.rs")
	os.WriteFile(bad, []byte("pub struct {"), 0o644)
	if code, _, _ := run(t, "--src", bad, "--dst", dst); code != ExitInput {
		t.Fatalf("exit %d, want %d", code, ExitInput)
	}
	if data, _ := os.ReadFile(dst); string(data) != "old content\n" {
		t.Fatalf("dst changed to %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
}

func TestWriteIsAtomicAndSkipsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.go")
	if err := writeIfChanged(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	st1, _ := os.Stat(p)
	past := st1.ModTime().Add(-1e9 * 3600)
	os.Chtimes(p, past, past)
	if err := writeIfChanged(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); !st.ModTime().Equal(past) {
		t.Errorf("unchanged content rewrote the file")
	}
	if err := writeIfChanged(p, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); string(data) != "b" {
		t.Errorf("content %q, want b", data)
	}
	// A missing directory is created; no temporary file stays behind.
	if err := writeIfChanged(filepath.Join(dir, "missing", "f.go"), []byte("x")); err != nil {
		t.Errorf("write into a missing directory: %v", err)
	}
	for d, want := range map[string]int{dir: 2, filepath.Join(dir, "missing"): 1} {
		if entries, _ := os.ReadDir(d); len(entries) != want {
			t.Errorf("%s holds %v, want %d entries", d, entries, want)
		}
	}
	// Where the directory cannot be created, the write fails without a trace.
	if err := writeIfChanged(filepath.Join(p, "sub", "f.go"), []byte("x")); err == nil {
		t.Errorf("write below a regular file succeeded")
	}
}

func TestUsageErrors(t *testing.T) {
	code, _, stderr := run(t, "--src", "x.rs")
	if code != ExitInput || !strings.Contains(stderr, "usage: rust2go-cli --src rust/src/user.rs --dst gen/gen.go") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "--src", "does-not-exist.rs", "--dst", filepath.Join(t.TempDir(), "gen.go"))
	if code != ExitIO || !strings.Contains(stderr, "does-not-exist.rs: no such file or directory") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestPackageName(t *testing.T) {
	for dst, want := range map[string]string{"gen/gen.go": "gen", "/x/My-Bridge/b.go": "mybridge", "a/b_c/x.go": "b_c"} {
		if got := packageName(dst); got != want {
			t.Errorf("packageName(%q) = %q, want %q", dst, got, want)
		}
	}
}

// TestErrorCatalogue checks docs/errors.md against the error tests: every
// catalogued message and hint appears in the .err file its row names, and
// every error test is named in the catalogue.
func TestErrorCatalogue(t *testing.T) {
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) != 3 || !strings.HasPrefix(line, "| ``") {
			continue
		}
		rows++
		test := strings.TrimSpace(strings.TrimSuffix(cells[2], "|"))
		named[test] = true
		errText, err := os.ReadFile(filepath.Join(testdata, "errors", test+".err"))
		if err != nil {
			t.Errorf("row %q: %v", line, err)
			continue
		}
		msg := codeSpan(cells[0])
		if !regexp.MustCompile(`: ` + pattern(msg) + `\n`).Match(errText) {
			t.Errorf("message %q is not in %s.err", msg, test)
		}
		if hint := codeSpan(cells[1]); hint != "" && !regexp.MustCompile(`\n\thint: `+pattern(hint)+`\n`).Match(errText) {
			t.Errorf("hint %q of %q is not in %s.err", hint, msg, test)
		}
	}
	if rows < 30 {
		t.Fatalf("only %d catalogue rows found: is the table format still `| `` message `` | `` hint `` | test |`?", rows)
	}
	inputs, _ := filepath.Glob(filepath.Join(testdata, "errors", "*.rs"))
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".rs")
		if !named[name] && !strings.Contains(string(doc), "("+name+")") {
			t.Errorf("error test %s is not named in docs/errors.md", name)
		}
	}
}

// codeSpan returns the text of the first double-backtick code span of a
// table cell.
func codeSpan(cell string) string {
	_, rest, ok := strings.Cut(cell, "`` ")
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(rest, " ``")
	return text
}

// pattern turns a catalogued message, with %s and %d for the input's names
// and numbers, into a regular expression.
func pattern(msg string) string {
	p := regexp.QuoteMeta(msg)
	p = strings.ReplaceAll(p, "%s", ".+")
	return strings.ReplaceAll(p, "%d", "[0-9]+")
}

// TestCreatesTheDirectoryOfDst: a new project has no gen/ yet.
func TestCreatesTheDirectoryOfDst(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "new", "gen", "gen.go")
	src := filepath.Join(testdata, "golden", "rust2go_compat.rs")
	if code, _, stderr := run(t, "--src", src, "--dst", dst, "--rs-dst", filepath.Join(dir, "glue")); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(dst)
	if err != nil || !strings.HasPrefix(string(data), gogen.Header) {
		t.Fatalf("%s: %v, %.40q", dst, err, data)
	}
	if !strings.HasPrefix(string(data[len(gogen.Header):]), "\n// Source: rust2go_compat.rs\n\npackage gen\n") {
		t.Fatalf("package not named after the created directory: %.120q", data)
	}
}
