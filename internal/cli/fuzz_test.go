package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"r2go.dev/r2go/internal/gogen"
	"r2go.dev/r2go/internal/idl"
	"r2go.dev/r2go/internal/model"
	"r2go.dev/r2go/internal/printer"
	"r2go.dev/r2go/internal/randiface"
	"r2go.dev/r2go/internal/rustgen"
)

// FuzzGenerate runs the whole generator on arbitrary user.rs text: it never
// panics, every rejected input gets `user.rs:line:col: message` errors, and
// every accepted input generates Go that type-checks against rt, and Rust
// glue. Random valid interfaces seed it beside the test inputs.
func FuzzGenerate(f *testing.F) {
	for _, dir := range []string{"golden", "errors"} {
		inputs, _ := filepath.Glob(filepath.Join(testdata, dir, "*.rs"))
		for _, in := range inputs {
			data, err := os.ReadFile(in)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for seed := range int64(20) {
		f.Add(randiface.Interface(seed))
	}
	c := goChecker(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := idl.Parse("user.rs", src)
		if err != nil {
			checkErrors(t, err)
			return
		}
		m, err := model.Build(file, model.Options{GoPackage: "gen"})
		if err != nil {
			checkErrors(t, err)
			return
		}
		out, err := gogen.Generate(m, "user.rs")
		if err != nil {
			t.Fatalf("accepted input generates Go that does not format: %v", err)
		}
		if err := c.Check("gen.go", out); err != nil {
			t.Fatalf("accepted input generates Go that does not compile: %v\n%s", err, printer.Listing(out))
		}
		rustgen.Generate(m, m.RustCrate)
	})
}

func checkErrors(t *testing.T, err error) {
	t.Helper()
	var list idl.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error is %T %v, want a non-empty idl.ErrorList", err, err)
	}
	for _, e := range list {
		prefix := fmt.Sprintf("user.rs:%d:%d: ", e.Pos.Line, e.Pos.Col)
		if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" || !strings.HasPrefix(e.Error(), prefix) {
			t.Errorf("malformed error %q", e.Error())
		}
	}
}
