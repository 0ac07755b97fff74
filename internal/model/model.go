// Package model turns the syntax tree of a user.rs into the one description
// both backends print from: every type, layout, Go name, Rust name and C
// symbol is decided here, so the Go and Rust sides cannot drift apart.
package model

import "r2go.dev/r2go/internal/idl"

// Model is a checked interface description.
type Model struct {
	Source    string // the user.rs path, as given
	GoPackage string // package name of the generated Go file
	Namespace string // middle part of every C symbol
	RustCrate string // name of the r2go crate in the user's crate ("rust2go" after a rename)
	Structs   []*Struct
	Traits    []*Trait
	Warnings  []*idl.Error // things accepted but ignored, with the reason
}

// Kind is the kind of a type.
type Kind int

// The kinds of types r2go passes between Rust and Go.
const (
	Bool Kind = iota
	I8
	I16
	I32
	I64
	Isize
	U8
	U16
	U32
	U64
	Usize
	F32
	F64
	String
	Vec
	StructRef // a struct defined in user.rs
	GoError   // r2go::GoError: only as the error type of a Result
)

// Type is a resolved type.
type Type struct {
	Kind   Kind
	Elem   *Type   // Vec
	Struct *Struct // StructRef
}

// IsScalar reports whether t is a fixed-size number or bool: passed by value
// in C calls, copied as raw memory in vectors.
func (t *Type) IsScalar() bool { return t.Kind <= F64 }

// Size is the size of a scalar in bytes (isize/usize are 64-bit: the generated
// layout assertions fail the build on other targets).
func (t *Type) Size() int {
	switch t.Kind {
	case Bool, I8, U8:
		return 1
	case I16, U16:
		return 2
	case I32, U32, F32:
		return 4
	}
	return 8
}

// RustName is the type as the generated Rust code spells it.
func (t *Type) RustName() string {
	switch t.Kind {
	case String:
		return "String"
	case Vec:
		return "Vec<" + t.Elem.RustName() + ">"
	case StructRef:
		return t.Struct.Name
	case GoError:
		return "GoError"
	}
	return scalarRust[t.Kind]
}

var scalarRust = map[Kind]string{
	Bool: "bool", I8: "i8", I16: "i16", I32: "i32", I64: "i64", Isize: "isize",
	U8: "u8", U16: "u16", U32: "u32", U64: "u64", Usize: "usize", F32: "f32", F64: "f64",
}

// Layout is a size and alignment in bytes.
type Layout struct {
	Size  int
	Align int
}

// refPair is the layout of StrRef and ListRef: a pointer and a length.
var refPair = Layout{Size: 16, Align: 8}

// RefLayout is the layout of t's borrowed (Rust to Go) representation.
func (t *Type) RefLayout() Layout {
	switch {
	case t.IsScalar():
		return Layout{t.Size(), t.Size()}
	case t.Kind == StructRef:
		return t.Struct.RefLayout
	}
	return refPair
}

// Struct is a user struct.
type Struct struct {
	Pos    idl.Pos
	Name   string // Rust name
	GoName string
	Doc    string
	Fields []*Field

	RefLayout Layout // of the C struct Rust lends to Go

	GoRefType   string // Go mirror of the C struct
	GoRead      string // Go func (*GoRefType) GoName
	GoAppend    string // Go func ([]byte, *GoName) []byte
	RustRefType string // Rust #[repr(C)] struct
	RustGlue    string // file name in OUT_DIR/r2go included by #[derive(R2G)]

	// IsError is set when a method returns Result<_, ThisStruct>: Go gives
	// the struct an Error method and matches returned errors against it.
	IsError      bool
	GoErrorMatch string // Go var: rt.ErrorEncoder for this struct
	GoPlainType  string // Go type with the struct's fields and no methods
}

// Field is a struct field.
type Field struct {
	Pos       idl.Pos
	Name      string // Rust name
	GoName    string
	Doc       string
	Type      *Type
	RefOffset int // offset in the C struct
}

// Trait is a user trait: a Go interface on one side, a Rust impl on the other.
type Trait struct {
	Pos        idl.Pos
	Name       string
	GoName     string // interface
	GoRegister string // func RegisterX(impl X)
	GoImplVar  string // where the registered implementation lives
	RustImpl   string // the Rust type implementing the trait
	RustGlue   string // file name in OUT_DIR/r2go included by #[r2g]
	Doc        string
	Methods    []*Method
}

// CallKind is how a method is called.
type CallKind int

const (
	// Sync runs the Go handler on the calling thread and returns its result.
	Sync CallKind = iota
	// Async starts the Go handler on a goroutine; Rust awaits the result.
	Async
	// Oneway is Sync without a result.
	Oneway
)

func (k CallKind) String() string {
	return [...]string{"sync", "async", "oneway"}[k]
}

// Method is a trait method.
type Method struct {
	Pos       idl.Pos
	Name      string // Rust name
	GoName    string
	Doc       string
	Kind      CallKind
	Params    []*Param
	Ret       *Type // nil: no result (or Result<(), E>)
	Err       *Type // the E of a Result<T, E> result; nil: the method cannot fail
	RetDirect bool  // the C function returns the scalar result by value
	Symbol    string
}

// Fallible reports whether the method returns Result<T, E>: Go returns
// (T, error) and Rust gets Err for returned errors, panics and shutdown.
func (m *Method) Fallible() bool { return m.Err != nil }

// Param is a method parameter.
type Param struct {
	Pos    idl.Pos
	Name   string // Rust name
	GoName string
	Type   *Type
	ByRef  bool // &T in Rust
}

// Direct reports whether p is passed by value in the C call; otherwise Rust
// passes a pointer to its borrowed representation.
func (p *Param) Direct() bool { return p.Type.IsScalar() }
