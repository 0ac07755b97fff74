package abi_test

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"r2go.dev/r2go/rt/abi"
)

var update = flag.Bool("update", false, "rewrite rust/r2go/src/abi.rs")

const rustFile = "../../rust/r2go/src/abi.rs"

// TestRustCopyIsCurrent fails when the Rust runtime's copy of the contract
// was not regenerated after a change here.
func TestRustCopyIsCurrent(t *testing.T) {
	want := abi.RustSource()
	if *update {
		if err := os.WriteFile(rustFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", rustFile)
		return
	}
	got, err := os.ReadFile(rustFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; regenerate it with: go test ./rt/abi -update", rustFile)
	}
}

// TestRuntimeExportsMatch checks that package rt exports exactly the
// functions the Rust copy declares, under their versioned names.
func TestRuntimeExportsMatch(t *testing.T) {
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Doc == nil {
				continue
			}
			for _, c := range fn.Doc.List {
				if name, ok := strings.CutPrefix(c.Text, "//export "); ok {
					if name != fn.Name.Name {
						t.Errorf("%s: //export %s on func %s", fset.Position(fn.Pos()), name, fn.Name.Name)
					}
					got = append(got, name)
				}
			}
		}
	}
	// These are reached through slot headers, never by name: a call's
	// cancel, a stream's pull and cancel, and an upload's feed.
	want := []string{abi.Symbol("cancel"), abi.Symbol("stream_pull"), abi.Symbol("stream_cancel"), abi.Symbol("upload_feed")}
	for _, e := range abi.RuntimeExports {
		want = append(want, abi.Symbol(e.Name))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("package rt exports %v, want %v", got, want)
	}
}
