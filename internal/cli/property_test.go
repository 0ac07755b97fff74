package cli

import (
	"errors"
	"flag"
	"strings"
	"sync"
	"testing"

	"r2go.dev/r2go/internal/gocheck"
	"r2go.dev/r2go/internal/gogen"
	"r2go.dev/r2go/internal/idl"
	"r2go.dev/r2go/internal/model"
	"r2go.dev/r2go/internal/printer"
	"r2go.dev/r2go/internal/randiface"
	"r2go.dev/r2go/internal/rustgen"
)

var (
	randomInterfaces = flag.Int("random-interfaces", 400, "how many random interfaces TestRandomInterfacesCompile checks")
	randomSeed       = flag.Int64("random-seed", 1, "the first seed of TestRandomInterfacesCompile")
)

var (
	checkerOnce sync.Once
	checker     *gocheck.Checker
	checkerErr  error
)

// goChecker type-checks generated Go against the real rt package; it is
// loaded once per test binary.
func goChecker(t testing.TB) *gocheck.Checker {
	t.Helper()
	checkerOnce.Do(func() { checker, checkerErr = gocheck.New() })
	if checkerErr != nil {
		t.Fatal(checkerErr)
	}
	return checker
}

// TestRandomInterfacesCompile is the generator's property: every interface
// it accepts generates Go that type-checks against rt (the Rust glue of a
// sample is compiled by rust/compat's glue test), and every one it rejects
// gets positioned errors. The random interfaces are valid Rust, so the only
// rejection allowed is a clash of derived names.
func TestRandomInterfacesCompile(t *testing.T) {
	n := *randomInterfaces
	if testing.Short() {
		n /= 10
	}
	c := goChecker(t)
	accepted := 0
	for i := range n {
		seed := *randomSeed + int64(i)
		src := randiface.Interface(seed)
		file, err := idl.Parse("user.rs", src)
		if err != nil {
			t.Fatalf("seed %d: a valid interface does not parse: %v\n%s", seed, err, src)
		}
		m, err := model.Build(file, model.Options{GoPackage: "gen"})
		if err != nil {
			checkErrors(t, err)
			var list idl.ErrorList
			errors.As(err, &list)
			for _, e := range list {
				if !randiface.Rejection(e.Msg) {
					t.Fatalf("seed %d: a valid interface is rejected: %v\n%s", seed, err, src)
				}
			}
			continue
		}
		accepted++
		out, err := gogen.Generate(m, "user.rs")
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := c.Check("gen.go", out); err != nil {
			t.Fatalf("seed %d: generated Go does not compile:\n%v\n\nuser.rs:\n%s\ngen.go:\n%s", seed, err, src, printer.Listing(out))
		}
		if glue := rustgen.Generate(m, m.RustCrate); len(glue) == 0 {
			t.Fatalf("seed %d: no Rust glue", seed)
		}
	}
	t.Logf("%d random interfaces, %d accepted and type-checked, %d rejected for name clashes", n, accepted, n-accepted)
	if accepted < n/2 {
		t.Fatalf("only %d of %d random interfaces were accepted: the property says little", accepted, n)
	}
}

// TestLayoutAssertionsCatchMismatch proves that generated Go fails to build
// when its borrowed forms disagree with the layout the Rust side asserts:
// a model whose size or offset is off by one must not type-check.
func TestLayoutAssertionsCatchMismatch(t *testing.T) {
	c := goChecker(t)
	src := []byte(`
#[derive(r2go::R2G)]
pub struct Pair { pub a: u8, pub b: String }
#[r2go::r2g]
pub trait Api { fn f(p: Pair); }
`)
	for _, mutate := range []func(s *model.Struct){
		func(s *model.Struct) { s.RefLayout.Size++ },
		func(s *model.Struct) { s.Fields[1].RefOffset-- },
	} {
		file, err := idl.Parse("user.rs", src)
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.Build(file, model.Options{GoPackage: "gen"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := gogen.Generate(m, "user.rs")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Check("gen.go", out); err != nil {
			t.Fatalf("unchanged model: %v", err)
		}
		mutate(m.Structs[0])
		out, err = gogen.Generate(m, "user.rs")
		if err != nil {
			t.Fatal(err)
		}
		err = c.Check("gen.go", out)
		// Too large a size overflows the index; too small an offset leaves it out of bounds.
		if err == nil || !strings.Contains(err.Error(), "overflows") && !strings.Contains(err.Error(), "out of bounds") {
			t.Errorf("a layout that disagrees with Rust's type-checks (error: %v)", err)
		}
	}
}
