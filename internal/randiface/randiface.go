// Package randiface writes random user.rs files that are valid Rust and use
// only what the generator supports: every type kind, nested, every call kind
// (streams too)
// and every kind of error type, with names drawn to stress the generated
// code's namespaces (Go keywords and predeclared identifiers, the names of
// generated locals and helpers, initialisms, names that differ only in case
// or underscores). The property tests feed them to the generator and check
// that whatever it accepts compiles.
//
// An input may still be rejected for its names only (`user_id` beside
// `userId` both become Go's `UserID`; a parameter `r2go_keep_` is in the
// generated code's namespace); Rejection tells those apart from anything
// else, which would be a bug in this package or in the generator.
package randiface

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// Item names: types and traits. Rust's own type names (String, Vec, ...)
// are left out: a user.rs that redefines them means something else.
var itemNames = []string{
	"User", "ReadUser", "UserImpl", "RegisterUser", "Url", "URL", "HttpUrl", "HTTPURL",
	"Id", "Context", "Error", "Rt", "Unsafe", "Fmt", "Strconv", "Atomic", "Register",
	"Tuple", "TupleU8String", "TupleStringU8", "Buf", "Err", "Ret", "Reg", "Slot", "Ctx", "Arg0",
	"V2Api", "Shape", "Color", "Node", "Ref", "Read", "Append", "Impl", "Load",
	"Plain", "IsShape", "Any", "Nil", "Len", "Sprintf", "Pointer", "Registration",
	"EnumRef", "StrRef", "ListRef", "C", "Go", "Iota", "Utf8Name", "XMLHttp", "R2goRef",
	"Store", "Api", "Item", "Event", "Json", "Sql", "Db", "Rpc",
}

// Field and parameter names. `r#...` are Rust keywords written raw.
var valueNames = []string{
	"id", "user_id", "userId", "url", "http_url", "value", "r#type", "r#fn", "r#match",
	"string", "uint8", "len", "nil", "error", "buf", "err", "ret", "reg", "slot",
	"arg0", "arg1", "ctx", "context", "rt", "r#unsafe", "fmt", "strconv", "atomic",
	"x", "v", "r", "e", "tag", "ptr", "impl_", "self_", "f0", "f1", "is_shape",
	"range", "go", "chan", "select", "default", "iota", "true_", "append", "make",
	"json", "api_id", "v2_api", "utf8", "a_b", "ab", "items", "r2go_keep_", "keep",
}

var methodNames = []string{
	"get", "set", "err", "buf", "ret", "nil", "new", "register", "load", "r#impl",
	"string", "error", "id", "get_url", "get_URL", "v2_api", "is_x", "ctx", "len",
	"read_user", "user", "call", "go", "r#type", "enter", "leave", "complete", "fail",
}

var scalars = []string{
	"bool", "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize",
	"f32", "f64", "char",
}

// keyScalars are the scalars a map key may be.
var keyScalars = []string{"bool", "i8", "i32", "u16", "u64", "usize", "char"}

type gen struct {
	r         *rand.Rand
	b         strings.Builder
	items     []string // item names not used yet
	structs   []string // usable as types
	unitEnums []string
	dataEnums []string
	errTypes  []string // structs and enums with From<GoError>
}

// Interface returns a random user.rs for seed.
func Interface(seed int64) []byte {
	g := &gen{r: rand.New(rand.NewSource(seed))}
	g.items = append([]string(nil), itemNames...)
	g.r.Shuffle(len(g.items), func(i, j int) { g.items[i], g.items[j] = g.items[j], g.items[i] })
	g.p("//! Random interface %d.", seed)
	g.p("")
	g.p("use std::collections::{BTreeMap, HashMap};")
	g.p("use std::future::Future;")
	g.p("use futures_core::Stream;")
	for range g.r.Intn(3) {
		g.unitEnum()
	}
	for range g.r.Intn(5) {
		if g.r.Intn(3) == 0 {
			g.dataEnum()
		} else {
			g.structDef()
		}
	}
	for range 1 + g.r.Intn(2) {
		g.trait()
	}
	return []byte(g.b.String())
}

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

func (g *gen) item() string {
	name := g.items[0]
	g.items = g.items[1:]
	return name
}

// pick returns n distinct names from pool.
func (g *gen) pick(pool []string, n int) []string {
	idx := g.r.Perm(len(pool))
	out := make([]string, n)
	for i := range out {
		out[i] = pool[idx[i]]
	}
	return out
}

// fromGoError makes name usable as a Result's error type.
func (g *gen) fromGoError(name string) {
	g.p("impl From<r2go::GoError> for %s {", name)
	g.p("    fn from(_: r2go::GoError) -> Self {")
	g.p("        unimplemented!()")
	g.p("    }")
	g.p("}")
	g.errTypes = append(g.errTypes, name)
}

func (g *gen) unitEnum() {
	name := g.item()
	g.p("")
	g.p("/// A unit enum.")
	g.p("#[derive(r2go::R2G, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]")
	g.p("pub enum %s {", name)
	n := 1 + g.r.Intn(4)
	explicit := g.r.Intn(3) == 0 // then every variant, with distinct values
	values := g.r.Perm(200)
	for i := range n {
		if explicit {
			g.p("    V%d = %d,", i, values[i]-100)
		} else {
			g.p("    V%d,", i)
		}
	}
	g.p("}")
	g.unitEnums = append(g.unitEnums, name)
	if g.r.Intn(2) == 0 {
		g.fromGoError(name)
	}
}

func (g *gen) dataEnum() {
	name := g.item()
	g.p("")
	g.p("/// A data enum.")
	g.p("#[derive(r2go::R2G, Clone, Debug)]")
	g.p("pub enum %s {", name)
	for i := range 1 + g.r.Intn(4) {
		switch g.r.Intn(4) {
		case 0:
			g.p("    V%d,", i)
		case 1:
			var ts []string
			for range g.r.Intn(3) {
				ts = append(ts, g.typ(2, name))
			}
			g.p("    V%d(%s),", i, strings.Join(ts, ", "))
		default:
			var fs []string
			for _, f := range g.pick(valueNames, g.r.Intn(3)) {
				fs = append(fs, f+": "+g.typ(2, name))
			}
			g.p("    V%d { %s },", i, strings.Join(fs, ", "))
		}
	}
	g.p("}")
	g.dataEnums = append(g.dataEnums, name)
	if g.r.Intn(2) == 0 {
		g.fromGoError(name)
	}
}

func (g *gen) structDef() {
	name := g.item()
	g.p("")
	g.p("/// A struct.")
	g.p("#[derive(r2go::R2G, Clone, Debug)]")
	g.p("pub struct %s {", name)
	for _, f := range g.pick(valueNames, g.r.Intn(5)) {
		g.p("    pub %s: %s,", f, g.typ(3, name))
	}
	g.p("}")
	g.structs = append(g.structs, name)
	if g.r.Intn(2) == 0 {
		g.fromGoError(name)
	}
}

// typ is a random owned type at most depth levels deep. self, when not
// empty, is the item being defined: it may recur through Vec or Option<Box>.
func (g *gen) typ(depth int, self string) string {
	if depth <= 0 {
		return g.leaf()
	}
	switch g.r.Intn(14) {
	case 0:
		return "Vec<" + g.typ(depth-1, self) + ">"
	case 1:
		return "Option<" + g.typ(depth-1, self) + ">"
	case 2:
		return "Box<" + g.typ(depth-1, self) + ">"
	case 3:
		return "HashMap<" + g.key() + ", " + g.typ(depth-1, self) + ">"
	case 4:
		return "BTreeMap<" + g.key() + ", " + g.typ(depth-1, self) + ">"
	case 5:
		var ts []string
		for range 1 + g.r.Intn(3) {
			ts = append(ts, g.typ(depth-1, self))
		}
		if len(ts) == 1 {
			return "(" + ts[0] + ",)"
		}
		return "(" + strings.Join(ts, ", ") + ")"
	case 6:
		return fmt.Sprintf("[%s; %d]", g.typ(depth-1, self), g.r.Intn(3))
	case 7:
		if self != "" {
			if g.r.Intn(2) == 0 {
				return "Vec<Self>"
			}
			return "Option<Box<" + self + ">>"
		}
	case 8:
		return "std::collections::HashMap<String, " + g.typ(depth-1, self) + ">"
	}
	return g.leaf()
}

// leaf is a scalar, String or an item defined so far.
func (g *gen) leaf() string {
	var named []string
	named = append(named, g.structs...)
	named = append(named, g.unitEnums...)
	named = append(named, g.dataEnums...)
	switch n := g.r.Intn(10); {
	case n < 3 && len(named) > 0:
		return named[g.r.Intn(len(named))]
	case n < 5:
		return "String"
	}
	return scalars[g.r.Intn(len(scalars))]
}

func (g *gen) key() string {
	switch n := g.r.Intn(6); {
	case n == 0 && len(g.unitEnums) > 0:
		return g.unitEnums[g.r.Intn(len(g.unitEnums))]
	case n < 3:
		return "String"
	}
	return keyScalars[g.r.Intn(len(keyScalars))]
}

// param is a parameter type: an owned type or a borrowed form.
func (g *gen) param() string {
	switch g.r.Intn(8) {
	case 0:
		return "&" + g.typ(2, "")
	case 1:
		return "&str"
	case 2:
		return "&[" + g.typ(1, "") + "]"
	}
	return g.typ(2, "")
}

// result is a method's result type, "" for none.
func (g *gen) result() string {
	var ok string
	switch g.r.Intn(4) {
	case 0:
	case 1:
		ok = "()"
	default:
		ok = g.typ(2, "")
	}
	if g.r.Intn(3) != 0 {
		return ok
	}
	if ok == "" {
		ok = "()"
	}
	errs := append([]string{"String", "r2go::GoError"}, g.errTypes...)
	return "Result<" + ok + ", " + errs[g.r.Intn(len(errs))] + ">"
}

func (g *gen) trait() {
	name := g.item()
	fromGo := g.r.Intn(3) == 0 // a #[g2r] trait: Go calls Rust, no streams either way
	g.p("")
	if fromGo {
		g.p("#[r2go::g2r]")
	} else {
		g.p("#[r2go::r2g]")
	}
	g.p("pub trait %s {", name)
	for _, m := range g.pick(methodNames, 1+g.r.Intn(4)) {
		var ps []string
		for _, p := range g.pick(valueNames, g.r.Intn(4)) {
			ps = append(ps, p+": "+g.param())
		}
		ret := g.result()
		kind := g.r.Intn(4)
		if fromGo && kind == 3 {
			kind = 2
		}
		if !fromGo && (kind == 0 || kind == 1) && g.r.Intn(3) == 0 {
			// An async method may take one stream, anywhere in its parameters.
			ps = slices.Insert(ps, g.r.Intn(len(ps)+1), "r_items: "+g.streamParam())
		}
		switch kind {
		case 3:
			// A stream of items, or of Result items; the path spelled or not.
			item := g.typ(2, "")
			if strings.HasPrefix(ret, "Result<") {
				item = "Result<" + item + ret[strings.LastIndex(ret, ","):]
			}
			stream := []string{"Stream", "futures_core::Stream", "futures_core::stream::Stream", "r2go::Stream"}[g.r.Intn(4)]
			g.p("    fn %s(%s) -> impl %s<Item = %s>;", m, strings.Join(ps, ", "), stream, item)
		case 0:
			if ret == "" {
				ret = "()"
			}
			g.p("    async fn %s(%s) -> %s;", m, strings.Join(ps, ", "), ret)
		case 1:
			if ret == "" {
				ret = "()"
			}
			g.p("    fn %s(%s) -> impl Future<Output = %s>;", m, strings.Join(ps, ", "), ret)
		default:
			if ret == "" {
				g.p("    fn %s(%s);", m, strings.Join(ps, ", "))
			} else {
				g.p("    fn %s(%s) -> %s;", m, strings.Join(ps, ", "), ret)
			}
		}
	}
	g.p("}")
}

// streamParam is the type of a stream parameter: plain or Result items, the
// path spelled or not, with or without the bounds #[r2g] would add.
func (g *gen) streamParam() string {
	item := g.typ(2, "")
	if g.r.Intn(3) == 0 {
		item = "Result<" + item + ", " + []string{"String", "r2go::GoError"}[g.r.Intn(2)] + ">"
	}
	stream := []string{"Stream", "futures_core::Stream", "futures_core::stream::Stream", "r2go::Stream"}[g.r.Intn(4)]
	bounds := []string{"", " + Send", " + Send + 'static", " + Unpin"}[g.r.Intn(4)]
	return "impl " + stream + "<Item = " + item + ">" + bounds
}

// Rejection reports whether an error message of the generator is one that a
// valid random interface may get: a clash of derived names, or a parameter
// in the generated code's namespace.
func Rejection(msg string) bool {
	return strings.Contains(msg, " clashes with ") || strings.Contains(msg, " are reserved for generated code")
}
