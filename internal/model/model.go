// Package model turns the syntax tree of a user.rs into the one description
// both backends print from: every type, layout, Go name, Rust name and C
// symbol is decided here, so the Go and Rust sides cannot drift apart.
package model

import (
	"strconv"
	"strings"

	"r2go.dev/r2go/internal/idl"
)

// Model is a checked interface description.
type Model struct {
	Source    string // the user.rs path, as given
	GoPackage string // package name of the generated Go file
	Namespace string // middle part of every C symbol
	RustCrate string // name of the r2go crate in the user's crate ("rust2go" after a rename)
	Structs   []*Struct
	Enums     []*Enum
	Tuples    []*Struct // one per distinct tuple type, in order of first use
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
	Char      // char: a Unicode scalar value, u32 on the wire
	Option    // Option<Elem>
	UnitEnum  // an enum of user.rs whose variants carry no data
	DataEnum  // an enum of user.rs with tuple or struct variants
	Map       // HashMap<Key, Elem> or, with Ordered, BTreeMap<Key, Elem>
	Tuple     // (A, B, ...): Struct holds the generated record
	Array     // [Elem; Len]
)

// Type is a resolved type.
type Type struct {
	Kind    Kind
	Elem    *Type   // Vec, Option, Array, Map (the value)
	Key     *Type   // Map
	Len     int     // Array
	Ordered bool    // Map: a BTreeMap
	Elems   []*Type // Tuple, as written (Struct is shared by tuples that differ only in Box)
	Struct  *Struct // StructRef, Tuple
	Enum    *Enum   // UnitEnum, DataEnum

	// How Rust spells the type where it differs from its kind, for the
	// signatures of generated methods. Neither changes the representation.
	Boxes   int  // Box<...> around the type, this many times
	Unsized bool // str or [T] (String or Vec kinds) behind a parameter's &
}

// IsScalar reports whether t is a fixed-size number or bool: passed by value
// in C calls, the same bytes in both languages.
func (t *Type) IsScalar() bool { return t.Kind <= F64 }

// IsRawInGo reports whether t's Go value is its borrowed form and its encoded
// form, byte for byte: scalars, char (rune) and unit enums (int32). Go reads
// and writes vectors and arrays of these as raw memory.
func (t *Type) IsRawInGo() bool { return t.IsScalar() || t.Kind == Char || t.Kind == UnitEnum }

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
func (t *Type) RustName() string { return t.spell(true) }

// spell writes t in Rust, with or without its boxes.
func (t *Type) spell(boxes bool) string {
	s := t.spellKind(boxes)
	for range t.Boxes {
		if boxes {
			s = "Box<" + s + ">"
		}
	}
	return s
}

func (t *Type) spellKind(boxes bool) string {
	switch t.Kind {
	case String:
		if t.Unsized {
			return "str"
		}
		return "String"
	case Vec:
		if t.Unsized {
			return "[" + t.Elem.spell(boxes) + "]"
		}
		return "Vec<" + t.Elem.spell(boxes) + ">"
	case StructRef:
		return t.Struct.Name
	case GoError:
		return "GoError"
	case UnitEnum, DataEnum:
		return t.Enum.Name
	case Char:
		return "char"
	case Option:
		return "Option<" + t.Elem.spell(boxes) + ">"
	case Map:
		if t.Ordered {
			return "::std::collections::BTreeMap<" + t.Key.spell(boxes) + ", " + t.Elem.spell(boxes) + ">"
		}
		return "::std::collections::HashMap<" + t.Key.spell(boxes) + ", " + t.Elem.spell(boxes) + ">"
	case Tuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.spell(boxes)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case Array:
		return "[" + t.Elem.spell(boxes) + "; " + strconv.Itoa(t.Len) + "]"
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

// refPair is the layout of StrRef, ListRef and EnumRef: a pointer and a
// length, or a tag and a pointer.
var refPair = Layout{Size: 16, Align: 8}

// RefLayout is the layout of t's borrowed (Rust to Go) representation.
func (t *Type) RefLayout() Layout {
	switch {
	case t.IsScalar():
		return Layout{t.Size(), t.Size()}
	case t.Kind == Char, t.Kind == UnitEnum:
		return Layout{4, 4}
	case t.Kind == Option:
		return Layout{8, 8} // a pointer to the borrowed value, or null
	case t.Kind == StructRef, t.Kind == Tuple:
		return t.Struct.RefLayout
	}
	return refPair
}

// Struct is a record with named fields: a user struct, the payload of a
// data enum's variant, or a tuple (fields f0, f1, ...). Go prints all three
// alike; Rust only the first two.
type Struct struct {
	Pos    idl.Pos
	Name   string // Rust name (for a tuple: its Rust spelling)
	GoName string
	What   string // what it is in user.rs, for comments: "struct User", "variant Circle of enum Shape"
	Doc    string
	Fields []*Field

	RefLayout Layout // of the C struct Rust lends to Go

	GoRefType   string // Go mirror of the C struct
	GoRead      string // Go func (*GoRefType) GoName
	GoAppend    string // Go func ([]byte, *GoName) []byte
	RustRefType string // Rust #[repr(C)] struct
	RustGlue    string // file name in OUT_DIR/r2go included by #[derive(R2G)]

	// IsError is set when a method returns Result<_, ThisStruct> (or an enum
	// with this struct as a variant's payload): Go gives the struct an Error
	// method.
	IsError      bool
	GoErrorMatch string // Go var: rt.ErrorEncoder for this struct; "" for variants
	GoPlainType  string // Go type with the struct's fields and no methods
}

// Enum is a user enum. A unit enum (no variant carries data) is an integer
// on both sides; a data enum is a sealed interface in Go.
type Enum struct {
	Pos      idl.Pos
	Name     string // Rust name
	GoName   string
	Doc      string
	Unit     bool
	Variants []*Variant

	GoMarker string // data enums: the unexported method that seals the interface
	GoRead   string // data enums: Go func (*rt.EnumRef) GoName
	GoAppend string // data enums: Go func ([]byte, *GoName) []byte
	RustGlue string // file name in OUT_DIR/r2go included by #[derive(R2G)]

	// IsError is set when a method returns Result<_, ThisEnum>: the Go type
	// (and, for data enums, every variant struct) is a Go error.
	IsError      bool
	GoErrorMatch string // Go var: rt.ErrorEncoder for this enum
}

// Variant is one variant of an enum.
type Variant struct {
	Pos    idl.Pos
	Name   string // Rust name
	GoName string // unit enums: the constant; data enums: the struct (enum name + variant name)
	Doc    string
	Kind   idl.VariantKind
	Value  int64   // unit enums: the discriminant (Go constant and wire value)
	Tag    uint32  // data enums: the variant's index, its tag on the wire
	Data   *Struct // data enums: the payload (tuple variants have fields f0, f1, ...)
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
	GoLoad     string // func returning the registration, or panicking when there is none
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
	// Stream starts the Go handler on a goroutine with a sink; Rust gets a
	// Stream of its items (Ret; Err for Result items).
	Stream
)

func (k CallKind) String() string {
	return [...]string{"sync", "async", "oneway", "stream"}[k]
}

// Method is a trait method.
type Method struct {
	Pos       idl.Pos
	Name      string // Rust name
	GoName    string
	Doc       string
	Kind      CallKind
	Params    []*Param
	Ret       *Type // nil: no result (or Result<(), E>); Stream: the item (or T of Result<T, E> items)
	Err       *Type // the E of a Result<T, E> result (or item); nil: the method cannot fail
	RetDirect bool  // the C function returns the scalar result by value
	Symbol    string
	GoSink    string // Stream: the Go handler's sink parameter
	// Buffer is the stream's buffer set by #[r2go(buffer = n)] (the items
	// Go holds), which wins over rt.StreamBuffer; 0: the registration's.
	Buffer int
}

// Fallible reports whether the method returns Result<T, E>: Go returns
// (T, error) and Rust gets Err for returned errors, panics and shutdown.
func (m *Method) Fallible() bool { return m.Err != nil }

// Param is a method parameter.
type Param struct {
	Pos    idl.Pos
	Name   string // Rust name
	GoName string
	Type   *Type // Stream: the item (or T of Result<T, E> items)
	ByRef  bool  // &T in Rust
	// Stream marks `impl Stream<Item = T>`: Go reads it from an *rt.Source[T]
	// bound to the call's slot, so the C call has no argument for it.
	Stream  bool
	ItemErr *Type // Stream: the E of Result<T, E> items (String or GoError); nil: plain items
	// Borrowed: #[borrow] on a sync method's `&[u8]` or `&str`: the Go
	// handler gets a view of Rust's memory (rt.BytesView, rt.StringView),
	// valid until it returns, instead of a copy.
	Borrowed bool
}

// Direct reports whether p is passed by value in the C call; otherwise Rust
// passes a pointer to its borrowed representation.
func (p *Param) Direct() bool { return p.Type.IsScalar() && p.Type.Boxes == 0 }

// Source is the method's stream parameter, or nil.
func (m *Method) Source() *Param {
	for _, p := range m.Params {
		if p.Stream {
			return p
		}
	}
	return nil
}
