// Package gocheck type-checks generated Go files in-process with go/types,
// against the real rt package of this module, so that tests can prove that
// every interface the generator accepts produces Go that compiles. cgo's
// `import "C"` is accepted without running cgo (types.Config.FakeImportC).
package gocheck

import (
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// RuntimePath is the import path of the Go runtime package.
const RuntimePath = "r2go.dev/r2go/rt"

// Checker type-checks generated files. It is safe for concurrent use; the
// standard library and rt are loaded once.
type Checker struct {
	mu   sync.Mutex
	fset *token.FileSet
	std  types.Importer
	rt   *types.Package
}

// New loads rt from the source tree this package was built from.
func New() (*Checker, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("gocheck: cannot locate the module's source")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "..", "rt")
	c := &Checker{fset: token.NewFileSet()}
	c.std = importer.ForCompiler(c.fset, "source", nil)
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(c.fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	// rt's own errors are those of its cgo parts (C's types are unknown
	// without cgo, so its assertions on C layouts fail here); go build and
	// go vet check rt itself. What generated code uses is its Go API, which
	// must be there.
	c.rt, _ = c.check(RuntimePath, files)
	if c.rt == nil || c.rt.Scope().Lookup("Registration") == nil {
		return nil, fmt.Errorf("gocheck: the rt package could not be loaded from %s", dir)
	}
	return c, nil
}

// Import resolves rt to this module's source and everything else to the
// standard library.
func (c *Checker) Import(path string) (*types.Package, error) {
	if path == RuntimePath && c.rt != nil {
		return c.rt, nil
	}
	return c.std.Import(path)
}

func (c *Checker) check(path string, files []*ast.File) (*types.Package, error) {
	var errs []error
	conf := types.Config{
		Importer:    c,
		FakeImportC: true,
		Error:       func(err error) { errs = append(errs, err) },
	}
	pkg, _ := conf.Check(path, c.fset, files, nil)
	return pkg, errors.Join(errs...)
}

// Check type-checks one generated file, as the only file of package path.
// The error lists every type error with its position in name.
func (c *Checker) Check(name string, src []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := parser.ParseFile(c.fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	_, err = c.check("r2go.dev/r2go/gen", []*ast.File{f})
	return err
}
