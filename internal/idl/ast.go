// Package idl parses user.rs, the restricted Rust syntax in which r2go users
// describe the interface between Rust and Go, into a syntax tree with
// positions. It knows nothing of Go or C: names, types and layouts are the
// model's business (package model).
package idl

import "fmt"

// Pos is a place in a source file. Line and Col are 1-based; Col counts bytes,
// as go/token does.
type Pos struct {
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// File is a parsed user.rs.
type File struct {
	Path    string
	Structs []*Struct
	Enums   []*Enum
	Traits  []*Trait
	Aliases []*Alias
}

// Attr is one outer or inner attribute: #[path], #[path(args)] or
// #[path = value]. Args is the source text between the delimiters (or after
// `=`), trimmed; it is empty when the attribute has none.
type Attr struct {
	Pos   Pos
	Path  string // as written, without spaces: "derive", "rust2go::r2g", "drop_safe"
	Args  string
	Inner bool // #![...]
}

// Struct is `struct Name { field: Type, ... }`. Tuple and unit structs are
// parse errors.
type Struct struct {
	Pos    Pos // of the name
	Name   string
	Doc    string // doc comments joined with "\n", each line trimmed of one leading space
	Attrs  []Attr
	Fields []*Field
}

// Field is a named struct field (or a field of a struct-like enum variant).
type Field struct {
	Pos  Pos // of the name
	Name string
	Doc  string
	Type *Type
}

// Enum is `enum Name { A, B(T, ...), C { f: T }, D = 3 }`.
type Enum struct {
	Pos      Pos
	Name     string
	Doc      string
	Attrs    []Attr
	Variants []*Variant
}

// VariantKind tells the shape of an enum variant.
type VariantKind int

const (
	UnitVariant   VariantKind = iota // A or A = 3
	TupleVariant                     // B(T, U)
	StructVariant                    // C { f: T }
)

// Variant is one enum variant. Tuple variants have Types; struct variants have
// Fields; Discriminant is the source text after `=`, if any.
type Variant struct {
	Pos          Pos
	Name         string
	Doc          string
	Kind         VariantKind
	Types        []*Type
	Fields       []*Field
	Discriminant string
}

// Alias is `type Name = Type;`.
type Alias struct {
	Pos  Pos
	Name string
	Type *Type
}

// Trait is `trait Name { fn ...; }`.
type Trait struct {
	Pos     Pos
	Name    string
	Doc     string
	Attrs   []Attr
	Methods []*Method
}

// Method is a trait method without a body. Async is true for `async fn`; a
// `-> impl Future<Output = T>` return is left for the model to interpret.
type Method struct {
	Pos    Pos // of the name
	Name   string
	Doc    string
	Attrs  []Attr
	Async  bool
	Params []*Param
	Ret    *Type // nil when there is no `->`
}

// Param is one method parameter `name: Type` (`mut name` is accepted).
type Param struct {
	Pos  Pos
	Name string
	Type *Type
}

// TypeKind tells the shape of a type expression.
type TypeKind int

const (
	PathType  TypeKind = iota // a::b::Name<Args..., Assoc = T>
	RefType                   // &T, &mut T, &'a T
	TupleType                 // (A, B); () is a TupleType with no Elems
	ArrayType                 // [T; N]
	SliceType                 // [T]
	ImplType                  // impl Path<...> + Bounds...
)

// Type is a type expression as written.
type Type struct {
	Pos  Pos
	Kind TypeKind

	// PathType and ImplType: Path is the whole path without spaces or generic
	// arguments ("std::vec::Vec"), Name its last segment ("Vec").
	Path  string
	Name  string
	Args  []*Type         // generic type arguments, in order
	Assoc []*AssocBinding // Output = T
	Elem  *Type           // RefType, ArrayType, SliceType: the element type
	Mut   bool            // RefType: &mut
	Len   string          // ArrayType: the length expression as written
	Elems []*Type         // TupleType
	// ImplType: further `+ Bound`s as written without spaces ("Send",
	// "'static", "std::marker::Send").
	Bounds []string
}

// AssocBinding is `Name = Type` inside generic arguments.
type AssocBinding struct {
	Pos  Pos
	Name string
	Type *Type
}

// Error is a problem found in user.rs, with a fix where one is obvious.
type Error struct {
	Path string
	Pos  Pos
	Msg  string // lower case, no trailing period
	Hint string // optional
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Pos.Line, e.Pos.Col, e.Msg)
	if e.Hint != "" {
		s += "\n\thint: " + e.Hint
	}
	return s
}

// ErrorList is every problem found in one file, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := ""
	for i, e := range l {
		if i > 0 {
			s += "\n"
		}
		s += e.Error()
	}
	return s
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
