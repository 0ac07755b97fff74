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
	"r2go.dev/r2go/internal/rustgen"
)

// FuzzGenerate runs the whole generator on arbitrary user.rs text: it never
// panics, every rejected input gets `user.rs:line:col: message` errors, and
// every accepted input generates Go that formats and Rust glue.
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
		if _, err := gogen.Generate(m, "user.rs"); err != nil {
			t.Fatalf("accepted input generates Go that does not format: %v", err)
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
