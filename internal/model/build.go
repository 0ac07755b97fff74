package model

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
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
const supportedHint = "supported types: bool, i8..i64, u8..u64, isize, usize, f32, f64, char, String, Vec<T>, Option<T>, Box<T>, HashMap<K, V>, BTreeMap<K, V>, tuples, [T; N], and structs and enums with #[derive(R2G)] from this file"

// maxTuple is the longest tuple r2go passes (the Rust runtime implements its
// traits for tuples up to this length).
const maxTuple = 12

// Build checks f and derives the model. On failure the error is an
// idl.ErrorList with every problem found, in source order.
func Build(f *idl.File, opt Options) (*Model, error) {
	b := &builder{
		file:       f,
		m:          &Model{Source: f.Path, GoPackage: opt.GoPackage, Namespace: opt.GoPackage},
		structs:    map[string]*idl.Struct{},
		enums:      map[string]*idl.Enum{},
		aliases:    map[string]*idl.Alias{},
		models:     map[string]*Struct{},
		enumModels: map[string]*Enum{},
		tuples:     map[string]*Struct{},
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
	file       *idl.File
	m          *Model
	errs       idl.ErrorList
	structs    map[string]*idl.Struct // every struct in the file, derived or not
	enums      map[string]*idl.Enum   // every enum in the file, derived or not
	aliases    map[string]*idl.Alias
	models     map[string]*Struct // structs with #[derive(R2G)]
	enumModels map[string]*Enum   // enums with #[derive(R2G)]
	tuples     map[string]*Struct // by Rust spelling
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
	for _, e := range b.file.Enums {
		if !names.add(e.Name, e.Pos) {
			continue
		}
		b.enums[e.Name] = e
		if r2gDerive(e.Attrs) != "" {
			b.enumModels[e.Name] = &Enum{Pos: e.Pos, Name: e.Name, Doc: e.Doc, Unit: isUnitEnum(e)}
		}
	}
	for _, t := range b.file.Traits {
		names.add(t.Name, t.Pos)
	}
	// Fields are resolved after every type is known, so order in the file
	// does not matter.
	for _, s := range b.file.Structs {
		if ms := b.models[s.Name]; ms != nil && b.structs[s.Name] == s {
			ms.What = "struct " + s.Name
			ms.Fields = b.fields(s.Fields, s.Name, "")
			b.m.Structs = append(b.m.Structs, ms)
		}
	}
	for _, e := range b.file.Enums {
		if me := b.enumModels[e.Name]; me != nil && b.enums[e.Name] == e {
			b.enum(e, me)
			b.m.Enums = append(b.m.Enums, me)
		}
	}
	for _, t := range b.file.Traits {
		if tm := b.trait(t); tm != nil {
			b.m.Traits = append(b.m.Traits, tm)
		}
	}
	// Layouts and Go names are checked even after other errors (on what did
	// resolve), so that one run reports every problem.
	b.layouts()
	b.goNames(names)
	b.m.RustCrate = b.rustCrate()
	if len(b.errs) == 0 {
		b.proto()
	}
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
	for _, e := range b.file.Enums {
		paths = append(paths, r2gDerive(e.Attrs))
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

// g2rAttr returns Rust2Go's attribute for traits Go calls, or nil.
func g2rAttr(attrs []idl.Attr) *idl.Attr {
	for i := range attrs {
		if lastSegment(attrs[i].Path) == "g2r" {
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

// fields resolves the fields of a struct or of a struct-like variant; self
// is the type `Self` stands for, owner names a variant in messages.
func (b *builder) fields(fs []*idl.Field, self, owner string) []*Field {
	seen := newScope(b, "field")
	var out []*Field
	for _, f := range fs {
		if !seen.add(f.Name, f.Pos) {
			continue
		}
		where := fmt.Sprintf("field `%s`", f.Name)
		if owner != "" {
			where += fmt.Sprintf(" of `%s`", owner)
		}
		if t := b.resolve(f.Type, ctx{where: where, self: self}); t != nil {
			out = append(out, &Field{Pos: f.Pos, Name: f.Name, Doc: f.Doc, Type: t})
		}
	}
	return out
}

// isUnitEnum reports whether no variant of e carries data.
func isUnitEnum(e *idl.Enum) bool {
	for _, v := range e.Variants {
		if v.Kind != idl.UnitVariant {
			return false
		}
	}
	return true
}

// enum resolves the variants of e: discriminants of a unit enum, payloads
// of a data enum.
func (b *builder) enum(e *idl.Enum, me *Enum) {
	if len(e.Variants) == 0 {
		b.errorf(e.Pos, "add a variant, or remove `#[derive(R2G)]`", "enum `%s` has no variants", e.Name)
		return
	}
	seen := newScope(b, "variant")
	next := int64(0)
	for i, v := range e.Variants {
		if !seen.add(v.Name, v.Pos) {
			continue
		}
		owner := e.Name + "::" + v.Name
		mv := &Variant{Pos: v.Pos, Name: v.Name, Doc: v.Doc, Kind: v.Kind, Tag: uint32(i)}
		if v.Discriminant != "" {
			if !me.Unit {
				b.errorf(v.Pos, "remove the discriminant", "variant `%s` has a discriminant; r2go supports discriminants only on enums whose variants carry no data", owner)
				continue
			}
			n, ok := parseInt(v.Discriminant)
			if !ok || n < math.MinInt32 || n > math.MaxInt32 {
				b.errorf(v.Pos, "write an integer literal that fits in an `i32`", "discriminant `%s` of `%s` is not a 32-bit integer literal", v.Discriminant, owner)
				continue
			}
			next = n
		}
		if me.Unit {
			if next > math.MaxInt32 {
				b.errorf(v.Pos, "give the variant a smaller discriminant", "discriminant of `%s` does not fit in an `i32`", owner)
				continue
			}
			mv.Value = next
			next++
			me.Variants = append(me.Variants, mv)
			continue
		}
		data := &Struct{Pos: v.Pos, Name: v.Name, What: "variant " + v.Name + " of enum " + e.Name, Doc: v.Doc}
		switch v.Kind {
		case idl.TupleVariant:
			for j, ty := range v.Types {
				t := b.resolve(ty, ctx{where: fmt.Sprintf("field %d of `%s`", j, owner), self: e.Name})
				if t != nil {
					data.Fields = append(data.Fields, &Field{Pos: ty.Pos, Name: "f" + strconv.Itoa(j), Type: t})
				}
			}
		case idl.StructVariant:
			data.Fields = b.fields(v.Fields, e.Name, owner)
		}
		mv.Data = data
		me.Variants = append(me.Variants, mv)
	}
}

// parseInt reads a Rust integer literal: decimal, 0x, 0o or 0b, with
// underscores, an optional minus sign and an optional type suffix.
func parseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimSpace(strings.TrimPrefix(s, "-"))
	for _, suffix := range []string{"i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize"} {
		if strings.HasSuffix(s, suffix) && !strings.HasPrefix(s, "0x") {
			s = strings.TrimSuffix(s, suffix)
			break
		}
	}
	if s == "" || s[0] == '+' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || (len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9') {
		return 0, false // Go reads 017 as octal; Rust as decimal
	}
	if neg {
		n = -n
	}
	return n, true
}

// ctx is where a type is written: what it belongs to, for messages, and the
// type `Self` stands for ("" outside a struct or enum).
type ctx struct {
	where string
	self  string
}

// resolve turns a written type into a model type, reporting what is not
// supported.
func (b *builder) resolve(t *idl.Type, c ctx) *Type {
	return b.resolveDepth(t, c, 0)
}

func (b *builder) resolveDepth(t *idl.Type, c ctx, depth int) *Type {
	if depth > 32 {
		b.errorf(t.Pos, "", "type of %s is nested too deeply", c.where)
		return nil
	}
	sub := func(e *idl.Type) *Type { return b.resolveDepth(e, c, depth+1) }
	switch t.Kind {
	case idl.RefType:
		b.errorf(t.Pos, "use an owned type such as `String` or `Vec<T>`", "references are only supported as method parameters, not in %s", c.where)
		return nil
	case idl.TupleType:
		if len(t.Elems) == 0 {
			b.errorf(t.Pos, "remove it: a method without `->` returns nothing", "`()` is only supported as a method result, not in %s", c.where)
			return nil
		}
		if len(t.Elems) > maxTuple {
			b.errorf(t.Pos, "use a struct with `#[derive(r2go::R2G)]`", "tuples of more than %d elements are not supported (in %s)", maxTuple, c.where)
			return nil
		}
		elems := make([]*Type, len(t.Elems))
		for i, e := range t.Elems {
			if elems[i] = sub(e); elems[i] == nil {
				return nil
			}
		}
		return b.tuple(elems, t.Pos)
	case idl.ArrayType:
		n, ok := parseInt(t.Len)
		if !ok || n < 0 || n > math.MaxInt32 {
			b.errorf(t.Pos, "write the length as an integer literal", "array length `%s` in %s is not an integer literal", t.Len, c.where)
			return nil
		}
		elem := sub(t.Elem)
		if elem == nil {
			return nil
		}
		return &Type{Kind: Array, Elem: elem, Len: int(n)}
	case idl.SliceType:
		b.errorf(t.Pos, "use `Vec<T>`, or `&[T]` as a method parameter", "slices are only supported behind `&` in method parameters, not in %s", c.where)
		return nil
	case idl.PathType:
	default:
		b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), c.where)
		return nil
	}
	if len(t.Assoc) > 0 {
		b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), c.where)
		return nil
	}
	if k, ok := scalarKinds[t.Name]; ok && len(t.Args) == 0 && stdPath(t.Path, t.Name) {
		return &Type{Kind: k}
	}
	std := stdPath(t.Path, t.Name)
	switch n := len(t.Args); {
	case t.Name == "char" && n == 0 && std:
		return &Type{Kind: Char}
	case t.Name == "String" && n == 0 && std:
		return &Type{Kind: String}
	case t.Name == "str" && n == 0 && std:
		b.errorf(t.Pos, "use `String`", "`str` is only supported as `&str` in method parameters, not in %s", c.where)
		return nil
	case t.Name == "Vec" && n == 1 && std, t.Name == "Option" && n == 1 && std:
		elem := sub(t.Args[0])
		if elem == nil {
			return nil
		}
		if t.Name == "Vec" {
			return &Type{Kind: Vec, Elem: elem}
		}
		return &Type{Kind: Option, Elem: elem}
	case t.Name == "Box" && n == 1 && std:
		elem := sub(t.Args[0])
		if elem == nil {
			return nil
		}
		boxed := *elem
		boxed.Boxes++
		return &boxed
	case (t.Name == "HashMap" || t.Name == "BTreeMap") && n == 2 && std:
		key, val := sub(t.Args[0]), sub(t.Args[1])
		if key == nil || val == nil {
			return nil
		}
		if !(key.IsScalar() && key.Kind != F32 && key.Kind != F64) && key.Kind != Char && key.Kind != String && key.Kind != UnitEnum {
			b.errorf(t.Args[0].Pos, "use an integer, bool, char, String or an enum without data as the key", "map key type `%s` in %s is not supported", TypeString(t.Args[0]), c.where)
			return nil
		}
		return &Type{Kind: Map, Key: key, Elem: val, Ordered: t.Name == "BTreeMap"}
	case t.Name == "u128" || t.Name == "i128":
		b.errorf(t.Pos, "use two `u64` fields or `[u8; 16]`", "`%s` is not supported (in %s)", t.Name, c.where)
		return nil
	case isResult(t):
		b.errorf(t.Pos, "return `Result<T, E>` from the method, or use a struct with a value field and an error field", "`Result` is only supported as the result of a method, not in %s", c.where)
		return nil
	}
	if len(t.Args) == 0 && !strings.Contains(t.Path, "::") {
		name := t.Name
		if name == "Self" {
			if c.self == "" {
				b.errorf(t.Pos, "name the type", "`Self` is only supported inside a struct or enum, not in %s", c.where)
				return nil
			}
			name = c.self
		}
		if s := b.models[name]; s != nil {
			return &Type{Kind: StructRef, Struct: s}
		}
		if e := b.enumModels[name]; e != nil {
			if e.Unit {
				return &Type{Kind: UnitEnum, Enum: e}
			}
			return &Type{Kind: DataEnum, Enum: e}
		}
		if s := b.structs[name]; s != nil {
			b.errorf(t.Pos, fmt.Sprintf("add `#[derive(r2go::R2G)]` to struct `%s` at %s", s.Name, s.Pos),
				"struct `%s` is used in %s but has no `#[derive(R2G)]`", name, c.where)
			return nil
		}
		if e := b.enums[name]; e != nil {
			b.errorf(t.Pos, fmt.Sprintf("add `#[derive(r2go::R2G)]` to enum `%s` at %s", e.Name, e.Pos),
				"enum `%s` is used in %s but has no `#[derive(R2G)]`", name, c.where)
			return nil
		}
		if a := b.aliases[name]; a != nil {
			return b.resolveDepth(a.Type, c, depth+1)
		}
		b.errorf(t.Pos, "define it in this file as a struct or enum with `#[derive(r2go::R2G)]`", "unknown type `%s` in %s", t.Name, c.where)
		return nil
	}
	b.errorf(t.Pos, supportedHint, "unsupported type `%s` in %s", TypeString(t), c.where)
	return nil
}

// tuple returns the type of a tuple of elems, with one Go record per
// distinct tuple type (Box makes no difference to it).
func (b *builder) tuple(elems []*Type, pos idl.Pos) *Type {
	t := &Type{Kind: Tuple, Elems: elems}
	key := t.spell(false)
	s := b.tuples[key]
	if s == nil {
		s = &Struct{Pos: pos, Name: key, What: "tuple " + key}
		for i, e := range elems {
			s.Fields = append(s.Fields, &Field{Pos: pos, Name: "f" + strconv.Itoa(i), Type: e})
		}
		b.tuples[key] = s
		b.m.Tuples = append(b.m.Tuples, s)
	}
	t.Struct = s
	return t
}

var scalarKinds = map[string]Kind{
	"bool": Bool, "i8": I8, "i16": I16, "i32": I32, "i64": I64, "isize": Isize,
	"u8": U8, "u16": U16, "u32": U32, "u64": U64, "usize": Usize, "f32": F32, "f64": F64,
}

// stdPath accepts a type written bare or by a path into the standard
// library (std::, core:: or alloc::, with or without a leading ::).
func stdPath(path, name string) bool {
	if path == name {
		return true
	}
	p := strings.TrimPrefix(path, "::")
	first, _, _ := strings.Cut(p, "::")
	return strings.HasSuffix(p, "::"+name) && (first == "std" || first == "core" || first == "alloc")
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
	a, fromGo := r2gAttr(t.Attrs), false
	if g := g2rAttr(t.Attrs); g != nil {
		a, fromGo = g, true
	}
	if a == nil {
		b.errorf(t.Pos, "add `#[r2go::r2g]` above the trait", "trait `%s` needs the `#[r2g]` attribute", t.Name)
		return nil
	}
	// Rust2Go's `binding` names the module of its generated bindings; r2go
	// includes its glue per item, so ignoring it changes nothing and earns
	// no warning. Anything else (queue_size) is a setting r2go has not.
	var ignored []string
	for _, arg := range strings.Split(a.Args, ",") {
		key, _, _ := strings.Cut(arg, "=")
		if arg = strings.TrimSpace(arg); arg != "" && strings.TrimSpace(key) != "binding" {
			ignored = append(ignored, arg)
		}
	}
	if len(ignored) > 0 {
		b.warnf(a.Pos, "arguments of `#[%s]` are ignored (%s): r2go has no queue to size", a.Path, strings.Join(ignored, ", "))
	}
	if !isASCIIIdent(t.Name) {
		b.errorf(t.Pos, "use an ASCII name", "trait name `%s` cannot be part of a C symbol", t.Name)
		return nil
	}
	tm := &Trait{Pos: t.Pos, Name: t.Name, Doc: t.Doc, FromGo: fromGo}
	seen := newScope(b, "method")
	for _, m := range t.Methods {
		if !seen.add(m.Name, m.Pos) {
			continue
		}
		mm := b.method(t, m)
		if mm == nil {
			continue
		}
		if fromGo && mm.Kind == Stream {
			b.errorf(m.Pos, "return a `Vec` of the items, or move the method to a `#[r2g]` trait", "`%s::%s`: streams from Rust to Go (`#[%s]` traits) are not supported", t.Name, m.Name, a.Path)
			continue
		}
		mm.Index = len(tm.Methods)
		tm.Methods = append(tm.Methods, mm)
		if e := mm.Err; e != nil && !fromGo {
			switch {
			case e.Struct != nil:
				e.Struct.FromGoError = true
			case e.Enum != nil:
				e.Enum.FromGoError = true
			}
		}
	}
	return tm
}

// maxBuffer is the largest buffer `#[r2go(buffer = n)]` may set.
const maxBuffer = 1 << 20

// bufferAttr reads `#[r2go(buffer = n)]` and returns n, or 0 after
// reporting an attribute it cannot read.
func (b *builder) bufferAttr(a idl.Attr, method string) int {
	const hint = "write `#[r2go(buffer = n)]` with 1 <= n <= 1048576"
	key, value, found := strings.Cut(a.Args, "=")
	if !found || strings.TrimSpace(key) != "buffer" {
		b.errorf(a.Pos, hint, "unknown `#[r2go(%s)]` on `%s`", a.Args, method)
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(value), "_", ""))
	if err != nil || n < 1 || n > maxBuffer {
		b.errorf(a.Pos, hint, "the buffer of `%s` must be a number from 1 to %d, not `%s`", method, maxBuffer, strings.TrimSpace(value))
		return 0
	}
	return n
}

func (b *builder) method(t *idl.Trait, m *idl.Method) *Method {
	buffer, bufferPos := 0, idl.Pos{}
	// #[borrow(a, b)]: parameters Go sees as views of Rust's memory.
	borrow := map[string]idl.Pos{}
	for _, a := range m.Attrs {
		if a.Path == "r2go" || a.Path == "rust2go" {
			if n := b.bufferAttr(a, t.Name+"::"+m.Name); n > 0 {
				buffer, bufferPos = n, a.Pos
			}
			continue
		}
		if a.Path == "borrow" {
			for _, n := range strings.Split(a.Args, ",") {
				if n = strings.TrimSpace(n); n != "" {
					borrow[n] = a.Pos
				}
			}
			if len(borrow) == 0 {
				b.errorf(a.Pos, "name the parameters: `#[borrow(data)]`", "`#[borrow]` on `%s::%s` names no parameter", t.Name, m.Name)
			}
			continue
		}
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
		// Go's generated identifiers start with "r2go", Rust's with "r2go_";
		// a parameter's Go name keeps the case of its first letters.
		if strings.HasPrefix(strings.ToLower(p.Name), ReservedPrefix) {
			b.errorf(p.Pos, "rename the parameter", "%s: names starting with `%s` are reserved for generated code", where, ReservedPrefix)
			ok = false
			continue
		}
		pt, byRef := p.Type, false
		if pt.Kind == idl.ImplType {
			param := b.streamParam(p, pt, where)
			if param == nil {
				ok = false
				continue
			}
			if mm.Source() != nil {
				b.errorf(pt.Pos, "send one stream of tuples or structs instead", "%s: a method takes at most one stream", where)
				ok = false
				continue
			}
			mm.Params = append(mm.Params, param)
			continue
		}
		if pt.Kind == idl.RefType && pt.Elem.Kind == idl.ImplType {
			b.errorf(pt.Pos, "take the stream by value: `"+p.Name+": impl Stream<Item = T>`", "%s: a stream is not borrowed", where)
			ok = false
			continue
		}
		if pt.Kind == idl.RefType {
			if pt.Mut {
				b.errorf(pt.Pos, "take the value and return the changed value instead", "`&mut` is not supported in %s", where)
				ok = false
				continue
			}
			pt, byRef = pt.Elem, true
		}
		var typ *Type
		switch {
		// &str and &[T] lend like String and Vec<T>.
		case byRef && pt.Kind == idl.PathType && pt.Name == "str" && len(pt.Args) == 0 && stdPath(pt.Path, "str"):
			typ = &Type{Kind: String, Unsized: true}
		case byRef && pt.Kind == idl.SliceType:
			if elem := b.resolve(pt.Elem, ctx{where: where}); elem != nil {
				typ = &Type{Kind: Vec, Elem: elem, Unsized: true}
			}
		default:
			typ = b.resolve(pt, ctx{where: where})
		}
		if typ == nil {
			ok = false
			continue
		}
		mp := &Param{Pos: p.Pos, Name: p.Name, Type: typ, ByRef: byRef}
		if _, named := borrow[p.Name]; named {
			delete(borrow, p.Name)
			if !b.borrowable(mp, where) {
				ok = false
			}
			mp.Borrowed = true
		}
		mm.Params = append(mm.Params, mp)
	}
	for _, name := range slices.Sorted(maps.Keys(borrow)) {
		pos := borrow[name]
		b.errorf(pos, "name a parameter of the method", "`#[borrow(%s)]` on `%s::%s`: the method has no parameter `%s`", name, t.Name, m.Name, name)
		ok = false
	}
	where := fmt.Sprintf("result of `%s::%s`", t.Name, m.Name)
	ret := m.Ret
	switch {
	case ret != nil && ret.Kind == idl.ImplType && ret.Name == "Stream":
		item, good := b.stream(ret, t.Name+"::"+m.Name, m.Async)
		if !good {
			return nil
		}
		mm.Kind, ret = Stream, item
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
	if mm.Kind == Stream && isUnit(ret) {
		b.errorf(m.Ret.Pos, "stream a type that carries data, such as `bool` or a struct", "the items of `%s::%s` cannot be `()`", t.Name, m.Name)
		ok = false
	}
	if !isUnit(ret) {
		mm.Ret = b.resolve(ret, ctx{where: where})
		if mm.Ret == nil {
			ok = false
		}
	}
	if src := mm.Source(); src != nil && mm.Kind != Async {
		switch mm.Kind {
		case Stream:
			b.errorf(src.Pos, "take the stream in an async method, or send the items as a `Vec`", "`%s::%s` returns a stream and cannot also take one (not supported yet)", t.Name, m.Name)
		default:
			b.errorf(src.Pos, fmt.Sprintf("write `async fn %s(..)` or return `impl Future<Output = T>`: Go reads the stream while Rust awaits the result", m.Name),
				"`%s::%s` takes a stream and must be async", t.Name, m.Name)
		}
		ok = false
	}
	if buffer > 0 && mm.Kind != Stream && mm.Source() == nil {
		b.errorf(bufferPos, "remove the attribute: only a method that returns or takes a stream has a buffer", "`%s::%s` has no stream to buffer", t.Name, m.Name)
		ok = false
	}
	mm.Buffer = buffer
	if mm.Kind == Sync && mm.Ret == nil && mm.Err == nil {
		mm.Kind = Oneway
	}
	mm.RetDirect = mm.Kind == Sync && mm.Ret != nil && mm.Ret.IsScalar() && mm.Ret.Boxes == 0 && mm.Err == nil
	for _, p := range mm.Params {
		if p.Borrowed && (mm.Kind == Async || mm.Kind == Stream) {
			b.errorf(p.Pos, "remove it from `#[borrow]`: Go copies the arguments of async and stream handlers, which run after the call returns",
				"parameter `%s` of `%s::%s` cannot be borrowed: Rust lends it only until the call returns", p.Name, t.Name, m.Name)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return mm
}

// borrowable reports whether p can be a borrowed view (#[borrow]): a
// `&[u8]`, `&Vec<u8>`, `&str` or `&String`.
func (b *builder) borrowable(p *Param, where string) bool {
	t := p.Type
	bytes := t.Kind == Vec && t.Elem.Kind == U8 && t.Elem.Boxes == 0
	if p.ByRef && t.Boxes == 0 && (bytes || t.Kind == String) {
		return true
	}
	b.errorf(p.Pos, "borrow only `&[u8]` or `&str` parameters", "%s cannot be borrowed: `#[borrow]` lends bytes and strings", where)
	return false
}

func isUnit(t *idl.Type) bool {
	return t == nil || t.Kind == idl.TupleType && len(t.Elems) == 0
}

// resultTypes splits `Result<T, E>` (bare or by its standard path) into T
// and E.
func resultTypes(t *idl.Type) (ok, err *idl.Type, isResult bool) {
	if t == nil || t.Kind != idl.PathType || t.Name != "Result" || len(t.Args) != 2 || len(t.Assoc) > 0 || !stdPath(t.Path, "Result") {
		return nil, nil, false
	}
	return t.Args[0], t.Args[1], true
}

func isResult(t *idl.Type) bool {
	_, _, ok := resultTypes(t)
	return ok
}

// errorTypeHint lists what E in Result<T, E> may be.
const errorTypeHint = "use `String`, `r2go::GoError`, or a struct or enum with #[derive(R2G)] that implements `From<r2go::GoError>`"

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
	e := b.resolve(t, ctx{where: where})
	if e == nil {
		return nil
	}
	switch e.Kind {
	case String:
	case StructRef:
		e.Struct.IsError = true
	case UnitEnum, DataEnum:
		e.Enum.IsError = true
		for _, v := range e.Enum.Variants {
			if v.Data != nil {
				v.Data.IsError = true
			}
		}
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
	return b.implAssoc(t, method, "Future", "Output", "r2go futures are `Send + 'static`", futureBounds)
}

// futureBounds and streamBounds are the bounds accepted on `impl Future`
// and `impl Stream` results: those r2go's futures and streams have anyway.
var (
	futureBounds = []string{"Send", "Sync", "'static", "std::marker::Send", "core::marker::Send", "std::marker::Sync", "core::marker::Sync"}
	streamBounds = append([]string{"Unpin", "std::marker::Unpin", "core::marker::Unpin"}, futureBounds...)
)

// implAssoc checks the bounds and the one associated type (`Output = T`,
// `Item = T`) of an `impl Trait` result and returns T. has says what r2go's
// values have, for the hint on other bounds.
func (b *builder) implAssoc(t *idl.Type, method, trait, assoc, has string, bounds []string) (*idl.Type, bool) {
	for _, bound := range t.Bounds {
		if !slices.Contains(bounds, bound) {
			b.errorf(t.Pos, has+"; remove the bound", "unsupported bound `%s` on the result of `%s`", bound, method)
			return nil, false
		}
	}
	var out *idl.Type
	for _, a := range t.Assoc {
		if a.Name != assoc {
			b.errorf(a.Pos, "", "unexpected `%s` in `impl %s`", a.Name, trait)
			return nil, false
		}
		out = a.Type
	}
	if out == nil || len(t.Args) > 0 {
		b.errorf(t.Pos, fmt.Sprintf("write `impl %s<%s = T>`", trait, assoc), "`impl %s` of `%s` needs `%s = T`", trait, method, assoc)
		return nil, false
	}
	return out, true
}

// streamPaths are the spellings of futures' Stream trait r2go accepts.
var streamPaths = []string{"Stream", "futures_core::Stream", "futures_core::stream::Stream", "futures::Stream", "futures::stream::Stream",
	"r2go::Stream", "rust2go::Stream"}

// paramBounds are the bounds accepted on a stream parameter: the trait's
// signature gets `Send + 'static` anyway (the call's future owns the stream).
var paramBounds = append([]string{"Unpin", "std::marker::Unpin", "core::marker::Unpin"}, futureBounds...)

// streamParam checks a parameter `impl Stream<Item = T>` (or Item =
// Result<T, E>, E a String or r2go::GoError).
func (b *builder) streamParam(p *idl.Param, t *idl.Type, where string) *Param {
	if !slices.Contains(streamPaths, t.Path) {
		b.errorf(t.Pos, "take `impl futures_core::Stream<Item = T>`, or a value", "unsupported type `%s` of %s", TypeString(t), where)
		return nil
	}
	for _, bound := range t.Bounds {
		if !slices.Contains(paramBounds, bound) {
			b.errorf(t.Pos, "r2go adds `Send + 'static`; remove the bound", "unsupported bound `%s` on %s", bound, where)
			return nil
		}
	}
	var item *idl.Type
	for _, a := range t.Assoc {
		if a.Name != "Item" {
			b.errorf(a.Pos, "", "unexpected `%s` in `impl Stream`", a.Name)
			return nil
		}
		item = a.Type
	}
	if item == nil || len(t.Args) > 0 {
		b.errorf(t.Pos, "write `impl Stream<Item = T>`", "`impl Stream` of %s needs `Item = T`", where)
		return nil
	}
	param := &Param{Pos: p.Pos, Name: p.Name, Stream: true}
	if okType, errType, isResult := resultTypes(item); isResult {
		var e *Type
		if errType.Kind == idl.PathType && errType.Name == "GoError" {
			e = b.errorType(errType, "error type of the items of "+where)
		} else {
			e = b.resolve(errType, ctx{where: "error type of the items of " + where})
		}
		if e == nil {
			return nil
		}
		if e.Kind != String && e.Kind != GoError {
			b.errorf(errType.Pos, "use `String` or `r2go::GoError`: Go receives the error's text", "`%s` cannot be the error type of the items of %s", TypeString(errType), where)
			return nil
		}
		param.ItemErr, item = e, okType
	}
	if isUnit(item) {
		b.errorf(item.Pos, "stream a type that carries data, such as `bool` or a struct", "the items of %s cannot be `()`", where)
		return nil
	}
	param.Type = b.resolve(item, ctx{where: where})
	if param.Type == nil {
		return nil
	}
	return param
}

// stream checks `impl Stream<Item = T>` (futures' Stream trait, spelled
// with or without its path, or as r2go's re-export) and returns T.
func (b *builder) stream(t *idl.Type, method string, async bool) (*idl.Type, bool) {
	switch {
	case slices.Contains(streamPaths, t.Path):
	default:
		b.errorf(t.Pos, "return `impl futures_core::Stream<Item = T>`", "unsupported return type `%s` of `%s`", TypeString(t), method)
		return nil, false
	}
	if async {
		b.errorf(t.Pos, "remove `async`: a stream is returned at once and yields its items asynchronously", "`async fn %s` cannot return `impl Stream`", method)
		return nil, false
	}
	return b.implAssoc(t, method, "Stream", "Item", "r2go streams are `Send + Unpin + 'static`", streamBounds)
}

// layouts computes the C layout of every record's borrowed form (structs,
// tuples, variant payloads), after rejecting structs that contain
// themselves by value. Option, Vec, maps, arrays and data enums lend through
// a pointer, so recursion through them is fine.
func (b *builder) layouts() {
	state := map[*Struct]int{} // 0 new, 1 in progress, 2 done, 3 failed
	var visit func(s *Struct) bool
	visit = func(s *Struct) bool {
		switch state[s] {
		case 1:
			b.errorf(s.Pos, "put the recursive field inside a `Vec<...>` or an `Option<Box<...>>`", "`%s` contains itself by value and would have infinite size", s.Name)
			state[s] = 3
			return false
		case 2:
			return true
		case 3:
			return false
		}
		state[s] = 1
		off, align := 0, 1
		for _, f := range s.Fields {
			if (f.Type.Kind == StructRef || f.Type.Kind == Tuple) && !visit(f.Type.Struct) {
				state[s] = 3 // reported where the cycle closed
				return false
			}
			l := f.Type.RefLayout()
			off = alignUp(off, l.Align)
			f.RefOffset = off
			off += l.Size
			align = max(align, l.Align)
		}
		if len(s.Fields) == 0 {
			// One padding byte: Go pads a struct that ends in a zero-size
			// field, and C has no empty structs, so neither side may see one.
			off = 1
		}
		s.RefLayout = Layout{Size: alignUp(off, align), Align: align}
		state[s] = 2
		return true
	}
	all := append(append([]*Struct{}, b.m.Structs...), b.m.Tuples...)
	for _, e := range b.m.Enums {
		for _, v := range e.Variants {
			if v.Data != nil {
				all = append(all, v.Data)
			}
		}
	}
	for _, s := range all {
		visit(s)
	}
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// goNames derives every Go name and checks that renaming made no clashes.
func (b *builder) goNames(rustNames *scope) {
	pkg := newScope(b, "Go name")
	pkg.pkg = true
	for _, s := range b.m.Structs {
		b.recordNames(s, GoExported(s.Name), s.Name)
		s.RustGlue = b.glueFile(s.Name, s.Pos)
		pkg.addGo(s.GoName, s.Name, s.Pos)
		if s.IsError {
			s.GoErrorMatch = goErrorMatch(s.GoName)
		}
		rustNames.addGenerated(s.RustRefType, "struct `"+s.Name+"`", s.Pos)
	}
	for _, e := range b.m.Enums {
		e.GoName, e.RustGlue = GoExported(e.Name), b.glueFile(e.Name, e.Pos)
		if e.IsError {
			e.GoErrorMatch = goErrorMatch(e.GoName)
		}
		pkg.addGo(e.GoName, e.Name, e.Pos)
		if !e.Unit {
			e.GoMarker, e.GoRead, e.GoAppend = goMarker(e.GoName), goReadFunc(e.GoName), goAppendFunc(e.GoName)
		}
		for _, v := range e.Variants {
			v.GoName = e.GoName + GoExported(v.Name)
			pkg.addGo(v.GoName, e.Name+"::"+v.Name, v.Pos)
			if v.Data != nil {
				b.recordNames(v.Data, v.GoName, e.Name+v.Name)
				rustNames.addGenerated(v.Data.RustRefType, "variant `"+e.Name+"::"+v.Name+"`", v.Pos)
			}
		}
	}
	for _, s := range b.m.Tuples {
		b.recordNames(s, goTupleName(s), "")
		pkg.addGo(s.GoName, s.Name, s.Pos)
	}
	for _, t := range b.m.Traits {
		t.GoName, t.RustImpl, t.RustGlue = GoExported(t.Name), rustImplType(t.Name), b.glueFile(t.Name, t.Pos)
		t.GoRegister, t.GoImplVar, t.GoLoad = goRegister(t.GoName), goImplVar(t.GoName), goLoadFunc(t.GoName)
		pkg.addGo(t.GoName, t.Name, t.Pos)
		if t.FromGo {
			t.GoRegister, t.GoImplVar, t.GoLoad = "", "", ""
			t.GoClient, t.GoFuncs, t.GoInstall = goClientType(t.GoName), goHelper("Rust", t.GoName), Symbol(b.m.Namespace, t.Name, "install")
			pkg.addGo(t.GoClient, t.Name, t.Pos)
		} else {
			pkg.addGo(t.GoRegister, t.Name, t.Pos)
		}
		rustNames.addGenerated(t.RustImpl, "trait `"+t.Name+"`", t.Pos)
		methods := newScope(b, "Go method name")
		for _, m := range t.Methods {
			m.GoName = GoExported(m.Name)
			methods.addGo(m.GoName, m.Name, m.Pos)
			if t.FromGo {
				// Go names have no "_": trait and method cannot run together.
				m.GoMethod = goHelper("Method", t.GoName+"_"+m.GoName)
			}
			params := newScope(b, "Go parameter name")
			for _, p := range m.Params {
				p.GoName = GoParam(p.Name)
				params.addGo(p.GoName, p.Name, p.Pos)
			}
			if m.Kind == Stream {
				m.GoSink = goSinkParam(m.Params)
			}
		}
	}
}

// goSinkParam names a stream handler's sink parameter: out, unless a
// parameter has that Go name; then a name in the generated code's namespace.
func goSinkParam(params []*Param) string {
	for _, p := range params {
		if p.GoName == "out" {
			return ReservedPrefix + "Out"
		}
	}
	return "out"
}

// maxFileName is the longest file name, in bytes, that common file systems
// (ext4, APFS, NTFS) accept.
const maxFileName = 255

// glueFile names the Rust glue file of an item, and reports a name too long
// to be a file name.
func (b *builder) glueFile(name string, pos idl.Pos) string {
	file := rustGlueFile(name)
	if len(file) > maxFileName {
		b.errorf(pos, fmt.Sprintf("shorten the name to at most %d bytes", maxFileName-len(file)+len(name)),
			"name `%s…` is %d bytes long: its glue file would exceed the %d-byte file-name limit", name[:20], len(name), maxFileName)
	}
	return file
}

// recordNames names a record's Go type and helpers and its fields' Go
// names; rustName is the base of its Rust borrowed form ("" for tuples,
// whose borrowed form is generic).
func (b *builder) recordNames(s *Struct, goName, rustName string) {
	s.GoName = goName
	s.GoRefType, s.GoRead, s.GoAppend = goRefType(goName), goReadFunc(goName), goAppendFunc(goName)
	if rustName != "" {
		s.RustRefType = rustRefType(rustName)
	}
	fields := newScope(b, "Go field name")
	for _, f := range s.Fields {
		f.GoName = GoExported(f.Name)
		fields.addGo(f.GoName, f.Name, f.Pos)
		if s.IsError && f.GoName == "Error" {
			b.errorf(f.Pos, "rename the field", "field `%s` of %s becomes Go field `Error`, which clashes with the `Error` method Go error types need", f.Name, s.What)
		}
	}
	if s.IsError {
		s.GoPlainType = goPlainType(goName)
	}
}

// scope finds duplicate names.
type scope struct {
	b    *builder
	pkg  bool // Go's package scope
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
	if s.pkg && goName == "C" {
		s.b.errorf(pos, "rename it", "%s `C` of `%s` clashes with cgo's package C, which the generated file imports", s.what, rustName)
		return
	}
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
