package model

import (
	"fmt"
	"sort"
	"strings"

	"r2go.dev/r2go/internal/idl"
)

// Options are the choices that do not come from user.rs.
type Options struct {
	// GoPackage is the package name of the generated Go file; it is also the
	// namespace of the C symbols.
	GoPackage string
}

// supportedHint lists what a field, parameter or result may be.
const supportedHint = "supported types: bool, i8..i64, u8..u64, isize, usize, f32, f64, String, Vec<T> and structs with #[derive(R2G)] from this file"

// Build checks f and derives the model. On failure the error is an
// idl.ErrorList with every problem found, in source order.
func Build(f *idl.File, opt Options) (*Model, error) {
	b := &builder{
		file:    f,
		m:       &Model{Source: f.Path, GoPackage: opt.GoPackage, Namespace: opt.GoPackage},
		structs: map[string]*idl.Struct{},
		aliases: map[string]*idl.Alias{},
		models:  map[string]*Struct{},
	}
	b.run()
	sortErrors(b.errs)
	sortErrors(b.m.Warnings)
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return b.m, nil
}

type builder struct {
	file    *idl.File
	m       *Model
	errs    idl.ErrorList
	structs map[string]*idl.Struct // every struct in the file, derived or not
	aliases map[string]*idl.Alias
	models  map[string]*Struct // structs with #[derive(R2G)]
}

func (b *builder) errorf(pos idl.Pos, hint, format string, args ...any) {
	b.errs = append(b.errs, &idl.Error{Path: b.file.Path, Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (b *builder) warnf(pos idl.Pos, format string, args ...any) {
	b.m.Warnings = append(b.m.Warnings, &idl.Error{Path: b.file.Path, Pos: pos, Msg: "warning: " + fmt.Sprintf(format, args...)})
}

func sortErrors(l idl.ErrorList) {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Pos.Line != l[j].Pos.Line {
			return l[i].Pos.Line < l[j].Pos.Line
		}
		return l[i].Pos.Col < l[j].Pos.Col
	})
}

func (b *builder) run() {
	if !isGoIdent(b.m.GoPackage) {
		b.errorf(idl.Pos{Line: 1, Col: 1}, "name the output directory, or pass --package, with a lower-case ASCII identifier",
			"go package name %q is not a valid identifier", b.m.GoPackage)
		return
	}
	names := newScope(b, "type")
	for _, e := range b.file.Enums {
		b.errorf(e.Pos, "use a struct with an integer tag field", "enum `%s`: enums are not supported yet", e.Name)
	}
	for _, a := range b.file.Aliases {
		if names.add(a.Name, a.Pos) {
			b.aliases[a.Name] = a
		}
	}
	for _, s := range b.file.Structs {
		if !names.add(s.Name, s.Pos) {
			continue
		}
		b.structs[s.Name] = s
		if r2gDerive(s.Attrs) != "" {
			b.models[s.Name] = &Struct{Pos: s.Pos, Name: s.Name, Doc: s.Doc}
		}
	}
	for _, t := range b.file.Traits {
		names.add(t.Name, t.Pos)
	}
	// Fields are resolved after every struct is known, so order in the file
	// does not matter.
	for _, s := range b.file.Structs {
		if ms := b.models[s.Name]; ms != nil && b.structs[s.Name] == s {
			b.fields(s, ms)
			b.m.Structs = append(b.m.Structs, ms)
		}
	}
	for _, t := range b.file.Traits {
		if tm := b.trait(t); tm != nil {
			b.m.Traits = append(b.m.Traits, tm)
		}
	}
	if len(b.errs) > 0 {
		return
	}
	b.layouts()
	b.goNames(names)
	b.m.RustCrate = b.rustCrate()
}

// rustCrate is the name the user's crate gives r2go, read off the paths of
// its r2go attributes: `#[rust2go::r2g]` means the dependency was renamed.
func (b *builder) rustCrate() string {
	var paths []string
	for _, t := range b.file.Traits {
		if a := r2gAttr(t.Attrs); a != nil {
			paths = append(paths, a.Path)
		}
	}
	for _, s := range b.file.Structs {
		paths = append(paths, r2gDerive(s.Attrs))
	}
	for _, p := range paths {
		if first, _, found := strings.Cut(p, "::"); found && first != "crate" && first != "self" && first != "super" {
			return first
		}
	}
	return "r2go"
}

// r2gAttr returns the trait attribute `#[r2g]` (by any path), or nil.
func r2gAttr(attrs []idl.Attr) *idl.Attr {
	for i := range attrs {
		if lastSegment(attrs[i].Path) == "r2g" {
			return &attrs[i]
		}
	}
	return nil
}

// r2gDerive returns the path of `R2G` in the struct's derives, or "".
func r2gDerive(attrs []idl.Attr) string {
	for _, a := range attrs {
		if a.Path != "derive" {
			continue
		}
		for _, d := range strings.Split(a.Args, ",") {
			if d = strings.TrimSpace(d); lastSegment(d) == "R2G" {
				return d
			}
		}
	}
	return ""
}

func lastSegment(p string) string {
	if i := strings.LastIndex(p, "::"); i >= 0 {
		return p[i+2:]
	}
	return p
}

func (b *builder) fields(s *idl.Struct, ms *Struct) {
	seen := newScope(b, "field")
	for _, f := range s.Fields {
		if !seen.add(f.Name, f.Pos) {
			continue
		}
		t := b.resolve(f.Type, fmt.Sprintf("field `%s`", f.Name))
		if t == nil {
			continue
		}
		ms.Fields = append(ms.Fields, &Field{Pos: f.Pos, Name: f.Name, Doc: f.Doc, Type: t})
	}
}

// resolve turns a written type into a model type, reporting what is not
// supported; where says what the type belongs to, for messages.
func (b *builder) resolve(t *idl.Type, where string) *Type {
	return b.resolveDepth(t, where, 0)
}

func (b *builder) resolveDepth(t *idl.Type, where string, depth int) *Type {
	if depth > 32 {
		b.errorf(t.Pos, "", "type of %s is nested too deeply", where)
		return nil
	}
	switch t.Kind {
	case idl.RefType:
		b.errorf(t.Pos, "use an owned type such as `String` or `Vec<T>`", "references are only supported as method parameters, not in %s", where)
		return nil
	case idl.PathType:
	default:
		b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), where)
		return nil
	}
	if len(t.Assoc) > 0 {
		b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), where)
		return nil
	}
	if k, ok := scalarKinds[t.Name]; ok && len(t.Args) == 0 && stdPath(t.Path, t.Name) {
		return &Type{Kind: k}
	}
	switch t.Name {
	case "String":
		if len(t.Args) == 0 && stdPath(t.Path, "String") {
			return &Type{Kind: String}
		}
	case "Vec":
		if len(t.Args) == 1 && stdPath(t.Path, "Vec") {
			elem := b.resolveDepth(t.Args[0], where, depth+1)
			if elem == nil {
				return nil
			}
			return &Type{Kind: Vec, Elem: elem}
		}
	case "Result":
		if _, _, ok := resultTypes(t); ok {
			b.errorf(t.Pos, "return `Result<T, E>` from the method, or use a struct with a value field and an error field", "`Result` is only supported as the result of a method, not in %s", where)
			return nil
		}
	case "u128", "i128":
		b.errorf(t.Pos, "use two `u64` fields (high and low halves)", "`%s` is not supported (in %s)", t.Name, where)
		return nil
	}
	if len(t.Args) == 0 && !strings.Contains(t.Path, "::") {
		if s := b.models[t.Name]; s != nil {
			return &Type{Kind: StructRef, Struct: s}
		}
		if s := b.structs[t.Name]; s != nil {
			b.errorf(t.Pos, fmt.Sprintf("add `#[derive(r2go::R2G)]` to struct `%s` at %s", s.Name, s.Pos),
				"struct `%s` is used in %s but has no `#[derive(R2G)]`", t.Name, where)
			return nil
		}
		if a := b.aliases[t.Name]; a != nil {
			return b.resolveDepth(a.Type, where, depth+1)
		}
		b.errorf(t.Pos, "define it in this file as a struct with `#[derive(r2go::R2G)]`", "unknown type `%s` in %s", t.Name, where)
		return nil
	}
	b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), where)
	return nil
}

var scalarKinds = map[string]Kind{
	"bool": Bool, "i8": I8, "i16": I16, "i32": I32, "i64": I64, "isize": Isize,
	"u8": U8, "u16": U16, "u32": U32, "u64": U64, "usize": Usize, "f32": F32, "f64": F64,
}

// stdPath accepts a type written bare or by its standard-library path.
func stdPath(path, name string) bool {
	switch path {
	case name, "std::string::" + name, "alloc::string::" + name, "std::vec::" + name, "alloc::vec::" + name,
		"core::primitive::" + name, "std::primitive::" + name:
		return true
	}
	return false
}

// ignoredMethodAttrs are Rust2Go's per-method switches and why r2go ignores them.
var ignoredMethodAttrs = map[string]string{
	"drop_safe":      "every r2go async call is safe to drop",
	"drop_safe_ret":  "every r2go async call is safe to drop",
	"send":           "r2go futures are always Send",
	"mem":            "r2go has one call path for every method",
	"shm":            "r2go has one call path for every method",
	"go_pass_struct": "r2go decides how structs are passed",
	"cgo_callback":   "r2go has one call path for every method",
}

func (b *builder) trait(t *idl.Trait) *Trait {
	a := r2gAttr(t.Attrs)
	if a == nil {
		b.errorf(t.Pos, "add `#[r2go::r2g]` above the trait", "trait `%s` needs the `#[r2g]` attribute", t.Name)
		return nil
	}
	if a.Args != "" {
		b.warnf(a.Pos, "arguments of `#[%s]` are ignored (%s): r2go needs no binding module or queue size", a.Path, a.Args)
	}
	if !isASCIIIdent(t.Name) {
		b.errorf(t.Pos, "use an ASCII name", "trait name `%s` cannot be part of a C symbol", t.Name)
		return nil
	}
	tm := &Trait{Pos: t.Pos, Name: t.Name, Doc: t.Doc}
	seen := newScope(b, "method")
	for _, m := range t.Methods {
		if !seen.add(m.Name, m.Pos) {
			continue
		}
		if mm := b.method(t, m); mm != nil {
			tm.Methods = append(tm.Methods, mm)
		}
	}
	return tm
}

func (b *builder) method(t *idl.Trait, m *idl.Method) *Method {
	for _, a := range m.Attrs {
		if why, ok := ignoredMethodAttrs[a.Path]; ok {
			b.warnf(a.Pos, "`#[%s]` on `%s::%s` is ignored: %s", a.Path, t.Name, m.Name, why)
		} else {
			b.warnf(a.Pos, "attribute `#[%s]` on `%s::%s` is ignored", a.Path, t.Name, m.Name)
		}
	}
	ok := true
	if !isASCIIIdent(m.Name) {
		b.errorf(m.Pos, "use an ASCII name", "method name `%s` cannot be part of a C symbol", m.Name)
		ok = false
	}
	mm := &Method{Pos: m.Pos, Name: m.Name, Doc: m.Doc, Symbol: Symbol(b.m.Namespace, t.Name, m.Name)}
	params := newScope(b, "parameter")
	for _, p := range m.Params {
		if !params.add(p.Name, p.Pos) {
			ok = false
			continue
		}
		where := fmt.Sprintf("parameter `%s` of `%s::%s`", p.Name, t.Name, m.Name)
		if strings.HasPrefix(p.Name, "r2go_") {
			b.errorf(p.Pos, "rename the parameter", "%s: names starting with `r2go_` are reserved for generated code", where)
			ok = false
			continue
		}
		pt, byRef := p.Type, false
		if pt.Kind == idl.RefType {
			if pt.Mut {
				b.errorf(pt.Pos, "take the value and return the changed value instead", "`&mut` is not supported in %s", where)
				ok = false
				continue
			}
			pt, byRef = pt.Elem, true
		}
		typ := b.resolve(pt, where)
		if typ == nil {
			ok = false
			continue
		}
		mm.Params = append(mm.Params, &Param{Pos: p.Pos, Name: p.Name, Type: typ, ByRef: byRef})
	}
	where := fmt.Sprintf("result of `%s::%s`", t.Name, m.Name)
	ret := m.Ret
	switch {
	case ret != nil && ret.Kind == idl.ImplType:
		out, good := b.future(ret, t.Name+"::"+m.Name, m.Async)
		if !good {
			return nil
		}
		mm.Kind, ret = Async, out
	case m.Async:
		mm.Kind = Async
	default:
		mm.Kind = Sync
	}
	if okType, errType, isResult := resultTypes(ret); isResult {
		mm.Err = b.errorType(errType, fmt.Sprintf("error type of `%s::%s`", t.Name, m.Name))
		if mm.Err == nil {
			ok = false
		}
		ret = okType
	}
	if !isUnit(ret) {
		mm.Ret = b.resolve(ret, where)
		if mm.Ret == nil {
			ok = false
		}
	}
	if mm.Kind == Sync && mm.Ret == nil && mm.Err == nil {
		mm.Kind = Oneway
	}
	mm.RetDirect = mm.Kind == Sync && mm.Ret != nil && mm.Ret.IsScalar() && mm.Err == nil
	if !ok {
		return nil
	}
	return mm
}

func isUnit(t *idl.Type) bool {
	return t == nil || t.Kind == idl.TupleType && len(t.Elems) == 0
}

// resultTypes splits `Result<T, E>` (bare or by its standard path) into T
// and E.
func resultTypes(t *idl.Type) (ok, err *idl.Type, isResult bool) {
	if t == nil || t.Kind != idl.PathType || t.Name != "Result" || len(t.Args) != 2 || len(t.Assoc) > 0 {
		return nil, nil, false
	}
	switch t.Path {
	case "Result", "std::result::Result", "core::result::Result":
		return t.Args[0], t.Args[1], true
	}
	return nil, nil, false
}

// errorTypeHint lists what E in Result<T, E> may be.
const errorTypeHint = "use `String`, `r2go::GoError`, or a struct with #[derive(R2G)] that implements `From<r2go::GoError>`"

// errorType resolves E of a method's Result<T, E>: a String (Go's error
// text), r2go's GoError, or a user struct that Go returns as an error value.
func (b *builder) errorType(t *idl.Type, where string) *Type {
	if t.Kind == idl.PathType && t.Name == "GoError" && len(t.Args) == 0 && len(t.Assoc) == 0 {
		switch t.Path {
		case "r2go::GoError", "rust2go::GoError", "GoError":
			if t.Path != "GoError" || b.structs[t.Name] == nil {
				return &Type{Kind: GoError}
			}
		default:
			b.errorf(t.Pos, "write `r2go::GoError` (or `rust2go::GoError` after renaming the dependency)", "`%s` is not r2go's GoError (in %s)", t.Path, where)
			return nil
		}
	}
	e := b.resolve(t, where)
	if e == nil {
		return nil
	}
	switch e.Kind {
	case String:
	case StructRef:
		e.Struct.IsError = true
	default:
		b.errorf(t.Pos, errorTypeHint, "`%s` cannot be the %s", TypeString(t), where)
		return nil
	}
	return e
}

// future checks `impl Future<Output = T>` and returns T (nil for no Output).
func (b *builder) future(t *idl.Type, method string, async bool) (*idl.Type, bool) {
	if t.Name != "Future" || !(t.Path == "Future" || t.Path == "std::future::Future" || t.Path == "core::future::Future") {
		b.errorf(t.Pos, "return `impl std::future::Future<Output = T>` or write `async fn`", "unsupported return type `%s` of `%s`", TypeString(t), method)
		return nil, false
	}
	if async {
		b.errorf(t.Pos, "write either `async fn f() -> T` or `fn f() -> impl Future<Output = T>`", "`async fn %s` cannot also return `impl Future`", method)
		return nil, false
	}
	for _, bound := range t.Bounds {
		switch bound {
		case "Send", "Sync", "'static", "std::marker::Send", "core::marker::Send", "std::marker::Sync", "core::marker::Sync":
		default:
			b.errorf(t.Pos, "r2go futures are `Send + 'static`; remove the bound", "unsupported bound `%s` on the result of `%s`", bound, method)
			return nil, false
		}
	}
	var out *idl.Type
	for _, a := range t.Assoc {
		if a.Name != "Output" {
			b.errorf(a.Pos, "", "unexpected `%s` in `impl Future`", a.Name)
			return nil, false
		}
		out = a.Type
	}
	if out == nil || len(t.Args) > 0 {
		b.errorf(t.Pos, "write `impl Future<Output = T>`", "`impl Future` of `%s` needs `Output = T`", method)
		return nil, false
	}
	return out, true
}

// layouts computes the C layout of every struct's borrowed form, after
// rejecting structs that contain themselves by value.
func (b *builder) layouts() {
	state := map[*Struct]int{} // 0 new, 1 in progress, 2 done
	var visit func(s *Struct) bool
	visit = func(s *Struct) bool {
		switch state[s] {
		case 1:
			b.errorf(s.Pos, "put the recursive field inside a `Vec<...>`", "struct `%s` contains itself and would have infinite size", s.Name)
			return false
		case 2:
			return true
		}
		state[s] = 1
		off, align := 0, 1
		for _, f := range s.Fields {
			if f.Type.Kind == StructRef && !visit(f.Type.Struct) {
				return false
			}
			l := f.Type.RefLayout()
			off = alignUp(off, l.Align)
			f.RefOffset = off
			off += l.Size
			align = max(align, l.Align)
		}
		s.RefLayout = Layout{Size: alignUp(off, align), Align: align}
		state[s] = 2
		return true
	}
	for _, s := range b.m.Structs {
		if !visit(s) {
			return
		}
	}
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// goNames derives every Go name and checks that renaming made no clashes.
func (b *builder) goNames(rustNames *scope) {
	pkg := newScope(b, "Go name")
	for _, s := range b.m.Structs {
		s.GoName = GoExported(s.Name)
		s.GoRefType, s.GoRead, s.GoAppend = goRefType(s.GoName), goReadFunc(s.GoName), goAppendFunc(s.GoName)
		s.RustRefType, s.RustGlue = rustRefType(s.Name), rustGlueFile(s.Name)
		pkg.addGo(s.GoName, s.Name, s.Pos)
		fields := newScope(b, "Go field name")
		for _, f := range s.Fields {
			f.GoName = GoExported(f.Name)
			fields.addGo(f.GoName, f.Name, f.Pos)
			if s.IsError && f.GoName == "Error" {
				b.errorf(f.Pos, "rename the field", "field `%s` of `%s` becomes Go field `Error`, which clashes with the `Error` method Go error types need", f.Name, s.Name)
			}
		}
		if s.IsError {
			s.GoErrorMatch, s.GoPlainType = goErrorMatch(s.GoName), goPlainType(s.GoName)
		}
		rustNames.addGenerated(s.RustRefType, "struct `"+s.Name+"`", s.Pos)
	}
	for _, t := range b.m.Traits {
		t.GoName, t.RustImpl, t.RustGlue = GoExported(t.Name), rustImplType(t.Name), rustGlueFile(t.Name)
		t.GoRegister, t.GoImplVar = goRegister(t.GoName), goImplVar(t.GoName)
		pkg.addGo(t.GoName, t.Name, t.Pos)
		pkg.addGo(t.GoRegister, t.Name, t.Pos)
		rustNames.addGenerated(t.RustImpl, "trait `"+t.Name+"`", t.Pos)
		methods := newScope(b, "Go method name")
		for _, m := range t.Methods {
			m.GoName = GoExported(m.Name)
			methods.addGo(m.GoName, m.Name, m.Pos)
			params := newScope(b, "Go parameter name")
			for _, p := range m.Params {
				p.GoName = GoParam(p.Name)
				params.addGo(p.GoName, p.Name, p.Pos)
			}
		}
	}
}

// scope finds duplicate names.
type scope struct {
	b    *builder
	what string
	pos  map[string]idl.Pos
	orig map[string]string
}

func newScope(b *builder, what string) *scope {
	return &scope{b: b, what: what, pos: map[string]idl.Pos{}, orig: map[string]string{}}
}

// add records a Rust name; it reports a duplicate and returns false.
func (s *scope) add(name string, pos idl.Pos) bool {
	if first, dup := s.pos[name]; dup {
		s.b.errorf(pos, "rename one of them", "%s `%s` is defined twice (first at %s)", s.what, name, first)
		return false
	}
	s.pos[name] = pos
	return true
}

// addGo records the Go name derived from a Rust name and reports a clash.
func (s *scope) addGo(goName, rustName string, pos idl.Pos) {
	if first, dup := s.pos[goName]; dup {
		s.b.errorf(pos, "rename one of them", "%s `%s` of `%s` clashes with `%s` at %s", s.what, goName, rustName, s.orig[goName], first)
		return
	}
	s.pos[goName], s.orig[goName] = pos, rustName
}

// addGenerated reports a user name that a generated Rust item needs; what
// says which item it is generated for.
func (s *scope) addGenerated(name, what string, pos idl.Pos) {
	if first, dup := s.pos[name]; dup {
		s.b.errorf(first, "rename it", "`%s` clashes with the type r2go generates for %s at %s", name, what, pos)
	}
}

func isGoIdent(s string) bool {
	if s == "" || goKeywords[s] || s == "_" {
		return false
	}
	return isASCIIIdent(s)
}

func isASCIIIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// TypeString renders a written type for messages.
func TypeString(t *idl.Type) string {
	if t == nil {
		return "()"
	}
	switch t.Kind {
	case idl.RefType:
		if t.Mut {
			return "&mut " + TypeString(t.Elem)
		}
		return "&" + TypeString(t.Elem)
	case idl.TupleType:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = TypeString(e)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case idl.ArrayType:
		return "[" + TypeString(t.Elem) + "; " + t.Len + "]"
	case idl.SliceType:
		return "[" + TypeString(t.Elem) + "]"
	}
	s := t.Path
	var args []string
	for _, a := range t.Args {
		args = append(args, TypeString(a))
	}
	for _, a := range t.Assoc {
		args = append(args, a.Name+" = "+TypeString(a.Type))
	}
	if len(args) > 0 {
		s += "<" + strings.Join(args, ", ") + ">"
	}
	if t.Kind == idl.ImplType {
		s = "impl " + s
		for _, bd := range t.Bounds {
			s += " + " + bd
		}
	}
	return s
}
