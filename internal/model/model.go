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
	// Proto is the protobuf form of the interface (ADR 0016): messages,
	// enums, services and the shape of every field.
	Proto *Proto
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

// kindInfo is what the model knows of one kind, in one place: how Rust
// spells it and the layout of its borrowed (Rust to Go) form. The backends
// keep their own table of the same kinds (gogen's goKinds, rustgen's
// refType, wire.rs's ToRef and Decode impls); see ADR 0011.
type kindInfo struct {
	rust   func(t *Type, boxes bool) string
	layout func(t *Type) Layout // nil: refPair
	raw    bool                 // IsRawInGo
}

// scalar is a fixed-size number or bool of size bytes, spelled name in Rust
// (isize and usize are 64-bit: the generated layout assertions fail the
// build on other targets).
func scalar(name string, size int) kindInfo {
	return kindInfo{
		rust:   func(*Type, bool) string { return name },
		layout: func(*Type) Layout { return Layout{size, size} },
		raw:    true,
	}
}

var kinds map[Kind]kindInfo

func init() {
	word := func(l Layout) func(*Type) Layout { return func(*Type) Layout { return l } }
	record := func(t *Type) Layout { return t.Struct.RefLayout }
	kinds = map[Kind]kindInfo{
		Bool: scalar("bool", 1), I8: scalar("i8", 1), I16: scalar("i16", 2), I32: scalar("i32", 4),
		I64: scalar("i64", 8), Isize: scalar("isize", 8), U8: scalar("u8", 1), U16: scalar("u16", 2),
		U32: scalar("u32", 4), U64: scalar("u64", 8), Usize: scalar("usize", 8), F32: scalar("f32", 4),
		F64: scalar("f64", 8),
		String: {rust: func(t *Type, _ bool) string {
			if t.Unsized {
				return "str"
			}
			return "String"
		}},
		Vec: {rust: func(t *Type, boxes bool) string {
			if t.Unsized {
				return "[" + t.Elem.spell(boxes) + "]"
			}
			return "Vec<" + t.Elem.spell(boxes) + ">"
		}},
		StructRef: {rust: func(t *Type, _ bool) string { return t.Struct.Name }, layout: record},
		GoError:   {rust: func(*Type, bool) string { return "GoError" }},
		Char:      {rust: func(*Type, bool) string { return "char" }, layout: word(Layout{4, 4}), raw: true},
		Option: {
			rust:   func(t *Type, boxes bool) string { return "Option<" + t.Elem.spell(boxes) + ">" },
			layout: word(Layout{8, 8}), // a pointer to the borrowed value, or null
		},
		UnitEnum: {rust: func(t *Type, _ bool) string { return t.Enum.Name }, layout: word(Layout{4, 4}), raw: true},
		DataEnum: {rust: func(t *Type, _ bool) string { return t.Enum.Name }},
		Map: {rust: func(t *Type, boxes bool) string {
			m := "::std::collections::HashMap<"
			if t.Ordered {
				m = "::std::collections::BTreeMap<"
			}
			return m + t.Key.spell(boxes) + ", " + t.Elem.spell(boxes) + ">"
		}},
		Tuple: {rust: func(t *Type, boxes bool) string {
			parts := make([]string, len(t.Elems))
			for i, e := range t.Elems {
				parts[i] = e.spell(boxes)
			}
			if len(parts) == 1 {
				return "(" + parts[0] + ",)"
			}
			return "(" + strings.Join(parts, ", ") + ")"
		}, layout: record},
		Array: {rust: func(t *Type, boxes bool) string {
			return "[" + t.Elem.spell(boxes) + "; " + strconv.Itoa(t.Len) + "]"
		}},
	}
}

// IsScalar reports whether t is a fixed-size number or bool: passed by value
// in C calls, the same bytes in both languages.
func (t *Type) IsScalar() bool { return t.Kind <= F64 }

// IsRawInGo reports whether t's Go value is its borrowed form and its encoded
// form, byte for byte: scalars, char (rune) and unit enums (int32). Go reads
// and writes vectors and arrays of these as raw memory.
func (t *Type) IsRawInGo() bool { return kinds[t.Kind].raw }

// RustName is the type as the generated Rust code spells it.
func (t *Type) RustName() string { return t.spell(true) }

// spell writes t in Rust, with or without its boxes.
func (t *Type) spell(boxes bool) string {
	s := kinds[t.Kind].rust(t, boxes)
	for range t.Boxes {
		if boxes {
			s = "Box<" + s + ">"
		}
	}
	return s
}

// Inner lists the types t holds directly: elements, keys and values (not
// the fields of records, which are types of their own).
func (t *Type) Inner() []*Type {
	var in []*Type
	if t.Key != nil {
		in = append(in, t.Key)
	}
	if t.Elem != nil {
		in = append(in, t.Elem)
	}
	return in
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
	if l := kinds[t.Kind].layout; l != nil {
		return l(t)
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
	// FromGoError is set when a method implemented in Go returns
	// Result<_, ThisStruct>: Rust converts other failures with From<GoError>.
	FromGoError bool
	GoPlainType string // Go type with the struct's fields and no methods
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
	FromGoError  bool   // as Struct.FromGoError
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

// Trait is a user trait. A `#[r2g]` trait is implemented in Go and called
// from Rust: a Go interface on one side, a Rust impl on the other. A
// `#[g2r]` trait (FromGo) is implemented in Rust and called from Go: a Rust
// registration on one side, a Go client value on the other.
type Trait struct {
	Pos        idl.Pos
	Name       string
	FromGo     bool   // #[g2r]: Go calls Rust
	GoName     string // interface; FromGo: the client variable
	GoRegister string // func RegisterX(impl X)
	GoImplVar  string // where the registered implementation lives
	GoLoad     string // func returning the registration, or panicking when there is none
	RustImpl   string // the Rust type implementing the trait; FromGo: the type whose register installs an implementation
	GoClient   string // FromGo: the type of the client variable
	GoFuncs    string // FromGo: the Go variable holding the installed Rust functions
	GoInstall  string // FromGo: the Go export Rust calls to install its functions
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
	Ret       *Type  // nil: no result (or Result<(), E>); Stream: the item (or T of Result<T, E> items)
	Err       *Type  // the E of a Result<T, E> result (or item); nil: the method cannot fail
	RetDirect bool   // the C function returns the scalar result by value
	Symbol    string // Rust calls Go: the Go export; FromGo: the Rust function Go calls
	Index     int    // FromGo: the method's place in the table Rust installs
	GoMethod  string // FromGo: the Go variable describing the method (rt.RustMethod)
	GoSink    string // Stream: the Go handler's sink parameter
	// Buffer is the stream's buffer set by #[r2go(buffer = n)] (the items
	// Go holds), which wins over rt.StreamBuffer; 0: the registration's.
	Buffer int
}

// Fallible reports whether the method returns Result<T, E>: Go returns
// (T, error) and Rust gets Err for returned errors, panics and shutdown.
func (m *Method) Fallible() bool { return m.Err != nil }

// OnGoroutine reports whether the method's handler runs on a goroutine of
// its own (async and stream methods): Go passes it a context, and the export
// returns once the goroutine is started, which then owns the call.
func (m *Method) OnGoroutine() bool { return m.Kind == Async || m.Kind == Stream }

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
