package model

import (
	"fmt"
	"slices"
	"strings"

	"r2go.dev/r2go/internal/idl"
)

// The protobuf form of the interface (ADR 0016), derived here once: every
// message, enum, field number, field shape and rpc that gogen, rustgen and
// the .proto printer use. Backends switch on what is recorded here and
// decide nothing themselves.

// Proto is the protobuf description of a model.
type Proto struct {
	// Package is the protobuf package: the Go package name ("gen").
	Package string
	// Enums has one proto enum per unit enum, in the order of Model.Enums.
	Enums []*ProtoEnum
	// Messages has one message per struct (Model.Structs order), then per
	// data enum (Model.Enums order; its variants are nested in it), then
	// per tuple (Model.Tuples order).
	Messages []*ProtoMessage
	// Helpers are the wrapper and map-entry messages some fields need
	// (ProtoField.Wrapper, ProtoField.Entry of a ProtoRepeated map), each
	// once, in order of first use while walking Messages and then Services.
	// The entries of ProtoMap fields are implicit in .proto and not listed.
	Helpers []*ProtoMessage
	// Services has one service per #[r2g] trait, in Model.Traits order;
	// #[g2r] traits are not served.
	Services []*ProtoService
}

// ProtoLabel is how a field holds its values.
type ProtoLabel int

const (
	// ProtoPlain is one value. It is omitted at its proto3 default
	// (zero, empty, false) unless it is a message, which is written when
	// present. With ProtoField.Option, absent means None.
	ProtoPlain ProtoLabel = iota
	// ProtoRepeated is zero or more values: a Vec or array (Type.Kind Vec
	// or Array), or a map written as entry messages (Entry != nil).
	ProtoRepeated
	// ProtoOptional is proto3 `optional`: an Option of a scalar, string,
	// bytes or unit enum, written whenever it is Some, even at zero.
	ProtoOptional
	// ProtoMap is proto `map<K, V>`: entries are messages with key = 1 and
	// value = 2 (Entry), the same bytes as repeated entries.
	ProtoMap
)

func (l ProtoLabel) String() string {
	return [...]string{"plain", "repeated", "optional", "map"}[l]
}

// WireKind is how one value is written on the wire.
type WireKind int

const (
	WireVarint   WireKind = iota // bool, uint32, uint64, enums (int32, sign-extended)
	WireZigzag32                 // sint32
	WireZigzag64                 // sint64
	WireFixed32                  // float
	WireFixed64                  // double
	WireBytes                    // string (UTF-8 checked) and bytes: length-delimited
	WireMessage                  // an embedded message: length-delimited
)

func (w WireKind) String() string {
	return [...]string{"varint", "zigzag32", "zigzag64", "fixed32", "fixed64", "bytes", "message"}[w]
}

// ProtoField is the shape of a field of model type Type: what a backend
// needs to encode and decode it, decided once.
type ProtoField struct {
	Label ProtoLabel
	// Packed: repeated numeric or enum values are written packed; decoders
	// accept packed and unpacked.
	Packed bool
	// Wire is how each value is written: for ProtoRepeated each element
	// (a wrapper or entry message: WireMessage), for ProtoMap WireMessage.
	Wire WireKind
	// ProtoType spells each value's type in .proto: "sint32", "string",
	// "DemoUser", "Shape", "R2goVecString"; for ProtoMap the whole
	// "map<string, sint64>".
	ProtoType string
	// Type is the field's model type, Box removed (Box<T> is T).
	Type *Type
	// Value is the model type of each value written (Box removed): Type
	// for ProtoPlain; the element for ProtoRepeated of a Vec or array;
	// Option's element for ProtoOptional and for an Option held as a
	// message or wrapper. With Wrapper set, each value is the wrapper
	// message and Value is what its field `value` holds. For maps: nil
	// (see Entry).
	Value *Type
	// Option: Type is Option<...>; the field absent means None.
	Option bool
	// Bytes: Value is Vec<u8> or [u8; N] written as proto bytes (Wire is
	// WireBytes); arrays check their length.
	Bytes bool
	// Wrapper, when set, is the message `{ <field of Value> value = 1; }`
	// each value is written as (an element of a Vec that proto cannot
	// repeat directly, or an Option that proto cannot make optional).
	Wrapper *ProtoMessage
	// Entry, for maps (ProtoMap, or ProtoRepeated with a Map Type), is the
	// entry message: key = 1, value = 2. Go names the codecs of both after
	// its GoName; only the ProtoRepeated ones are declared in .proto.
	Entry *ProtoMessage
}

// MessageKind is what a message stands for.
type MessageKind int

const (
	MsgStruct   MessageKind = iota // a user struct: Struct
	MsgTuple                       // a tuple: Struct (fields f0, f1, ...)
	MsgDataEnum                    // a data enum: Enum; oneof `value` of its Variants
	MsgVariant                     // a data enum's variant, nested in its enum: Struct (the payload), Variant
	MsgWrapper                     // R2go<Name(E)>: Wrapped is E, Fields[0] is `value = 1`
	MsgEntry                       // R2goEntry<Name(K)><Name(V)>: Wrapped is the map type, Fields key = 1, value = 2
	MsgRequest                     // <Trait><GoName>Request: the parameters (not a stream parameter)
	MsgResponse                    // <Trait><GoName>Response: value = 1, or no fields
	MsgItem                        // <Trait><GoName>Item: value = 1, a stream's item (streamed or uploaded)
	MsgUpload                      // <Trait><GoName>Upload: oneof part { Request args = 1; Item item = 2; [string error = 3] }
	MsgError                       // <Trait><GoName>Error: value = 1, the method's typed error (status details)
)

func (k MessageKind) String() string {
	return [...]string{"struct", "tuple", "data enum", "variant", "wrapper", "entry", "request", "response", "item", "upload", "error"}[k]
}

// ProtoMessage is a protobuf message.
type ProtoMessage struct {
	Kind MessageKind
	// Name is the message's name where it is declared: unique in the
	// package, except variants, which are nested in their enum's message.
	Name string
	// FullName is the name relative to the package: Name, or "Shape.Circle"
	// for a variant. The type URL of a message is
	// "type.googleapis.com/<Package>.<FullName>".
	FullName string
	// GoName is the Go name the message's Go codecs are named after
	// (unique among messages): the Go type for structs, tuples, enums and
	// variants (ShapeCircle), Name otherwise.
	GoName string
	Doc    string
	// Fields are the numbered fields outside any oneof, in number order.
	Fields []*ProtoMessageField
	// Oneof names the oneof of a data enum ("value") or upload ("part");
	// Members are its fields, each a message (ProtoField Wire WireMessage).
	Oneof   string
	Members []*ProtoMessageField

	Struct   *Struct         // MsgStruct, MsgTuple, MsgVariant
	Enum     *Enum           // MsgDataEnum, MsgVariant
	Variant  *Variant        // MsgVariant
	Variants []*ProtoMessage // MsgDataEnum: the nested variant messages, in tag order
	Wrapped  *Type           // MsgWrapper: the wrapped type; MsgEntry: the map type
	Method   *Method         // request, response, item, upload, error
	Trait    *Trait          // request, response, item, upload, error
}

// ProtoMessageField is one numbered field of a message.
type ProtoMessageField struct {
	Name   string // as in Rust (f0, f1 for tuples; the variant in snake case for oneof members)
	Number int
	Doc    string
	*ProtoField
	Record  *Field   // a struct's, tuple's or variant's field
	Param   *Param   // a request's parameter
	Variant *Variant // a data enum's oneof member
	// Message is the message a oneof member holds (a variant's, or an
	// upload's request or item); nil for a string error member.
	Message *ProtoMessage
}

// ProtoEnum is a proto enum for a unit enum.
type ProtoEnum struct {
	Name   string
	Enum   *Enum
	Values []*ProtoEnumValue // the zero first: UNSPECIFIED when no variant is 0
}

// ProtoEnumValue is one value of a ProtoEnum.
type ProtoEnumValue struct {
	Name    string   // <ENUM>_<VARIANT> in upper snake case
	Number  int64    // the Rust discriminant
	Variant *Variant // nil for <ENUM>_UNSPECIFIED, which decoders reject
}

// RPCKind is the gRPC method kind of a trait method.
type RPCKind int

const (
	Unary        RPCKind = iota // sync, async and oneway methods
	ServerStream                // a method returning a stream: Item messages
	ClientStream                // a method taking a stream: Upload messages, then one Response
)

func (k RPCKind) String() string {
	return [...]string{"unary", "server streaming", "client streaming"}[k]
}

// ProtoService is the gRPC service of an #[r2g] trait.
type ProtoService struct {
	Name     string // the trait's Rust name
	FullName string // <Package>.<Name>
	Trait    *Trait
	Doc      string
	RPCs     []*ProtoRPC // in method order
}

// ProtoRPC is one rpc of a service.
type ProtoRPC struct {
	Name   string // GoName of the method: demo_check -> DemoCheck
	Path   string // the full method name: /gen.DemoCall/DemoCheck
	Kind   RPCKind
	Method *Method
	// Request holds the parameters, except a stream parameter. Unary and
	// server streaming rpcs take it as their request.
	Request *ProtoMessage
	// Response holds the result (value = 1) or nothing; unary and client
	// streaming rpcs return it. Nil for server streaming.
	Response *ProtoMessage
	// Item is a stream's item (value = 1): the streamed response of a
	// server streaming rpc, or the uploaded item of a client streaming one.
	Item *ProtoMessage
	// Upload is what a client streaming rpc streams: args first, then
	// items. Nil otherwise.
	Upload *ProtoMessage
	// Error is the typed error (value = 1) a failed call carries in its
	// status details, packed in google.protobuf.Any; nil when the method's
	// error is a String or r2go::GoError, or it cannot fail.
	Error *ProtoMessage
}

// In returns the message the client sends: Upload for client streaming,
// else Request.
func (r *ProtoRPC) In() *ProtoMessage {
	if r.Upload != nil {
		return r.Upload
	}
	return r.Request
}

// Out returns the message the server sends: Item for server streaming, else
// Response.
func (r *ProtoRPC) Out() *ProtoMessage {
	if r.Kind == ServerStream {
		return r.Item
	}
	return r.Response
}

// TypeURL is the google.protobuf.Any type URL of m in package pkg.
func TypeURL(pkg string, m *ProtoMessage) string {
	return "type.googleapis.com/" + pkg + "." + m.FullName
}

// protoBuilder derives the Proto of a model.
type protoBuilder struct {
	b       *builder
	p       *Proto
	helpers map[string]*ProtoMessage
	records map[*Struct]*ProtoMessage
	enums   map[*Enum]*ProtoMessage
	names   map[string]string // top-level name -> what declares it, for clashes
	namePos map[string]idl.Pos
}

// proto derives m.Proto, reporting generated names that clash with user
// types or with each other.
func (b *builder) proto() {
	pb := &protoBuilder{b: b, p: &Proto{Package: b.m.GoPackage}, helpers: map[string]*ProtoMessage{},
		records: map[*Struct]*ProtoMessage{}, enums: map[*Enum]*ProtoMessage{}, names: map[string]string{}, namePos: map[string]idl.Pos{}}
	m := b.m
	// User names first, so a generated name is the one reported.
	for _, s := range m.Structs {
		pb.claim(s.Name, "struct `"+s.Name+"`", s.Pos, "")
	}
	for _, e := range m.Enums {
		pb.claim(e.Name, "enum `"+e.Name+"`", e.Pos, "")
	}
	for _, s := range m.Tuples {
		pb.claim(s.GoName, "tuple `"+s.Name+"`", s.Pos, "")
	}
	for _, t := range m.Traits {
		if !t.FromGo {
			pb.claim(t.Name, "trait `"+t.Name+"`", t.Pos, "")
		}
	}
	for _, s := range m.Structs {
		pb.records[s] = &ProtoMessage{Kind: MsgStruct, Name: s.Name, FullName: s.Name, GoName: s.GoName, Doc: s.Doc, Struct: s}
	}
	for _, s := range m.Tuples {
		pb.records[s] = &ProtoMessage{Kind: MsgTuple, Name: s.GoName, FullName: s.GoName, GoName: s.GoName, Struct: s}
	}
	for _, e := range m.Enums {
		if e.Unit {
			pb.p.Enums = append(pb.p.Enums, pb.unitEnum(e))
			continue
		}
		msg := &ProtoMessage{Kind: MsgDataEnum, Name: e.Name, FullName: e.Name, GoName: e.GoName, Doc: e.Doc, Enum: e, Oneof: "value"}
		for _, v := range e.Variants {
			vm := &ProtoMessage{Kind: MsgVariant, Name: v.Name, FullName: e.Name + "." + v.Name, GoName: v.GoName,
				Doc: v.Doc, Struct: v.Data, Enum: e, Variant: v}
			pb.records[v.Data] = vm
			msg.Variants = append(msg.Variants, vm)
			msg.Members = append(msg.Members, &ProtoMessageField{Name: snake(v.Name), Number: int(v.Tag) + 1, Doc: v.Doc,
				ProtoField: &ProtoField{Wire: WireMessage, ProtoType: vm.FullName}, Variant: v, Message: vm})
		}
		pb.enums[e] = msg
	}
	// Fields after every message exists: they refer to each other.
	for _, s := range m.Structs {
		pb.recordFields(pb.records[s])
		pb.p.Messages = append(pb.p.Messages, pb.records[s])
	}
	for _, e := range m.Enums {
		if msg := pb.enums[e]; msg != nil {
			for _, vm := range msg.Variants {
				pb.recordFields(vm)
			}
			pb.p.Messages = append(pb.p.Messages, msg)
		}
	}
	for _, s := range m.Tuples {
		pb.recordFields(pb.records[s])
		pb.p.Messages = append(pb.p.Messages, pb.records[s])
	}
	for _, t := range m.Traits {
		if !t.FromGo {
			pb.p.Services = append(pb.p.Services, pb.service(t))
		}
	}
	m.Proto = pb.p
}

// claim records a top-level proto name and reports a clash; hint, when
// set, is the fix for a generated name.
func (pb *protoBuilder) claim(name, what string, pos idl.Pos, hint string) {
	if first, dup := pb.names[name]; dup {
		if hint == "" {
			hint = "rename one of them"
		}
		pb.b.errorf(pos, hint, "protobuf message `%s` generated for %s clashes with %s at %s", name, what, first, pb.namePos[name])
		return
	}
	pb.names[name], pb.namePos[name] = what, pos
}

func (pb *protoBuilder) unitEnum(e *Enum) *ProtoEnum {
	pe := &ProtoEnum{Name: e.Name, Enum: e}
	prefix := upperSnake(e.Name) + "_"
	hasZero := false
	for _, v := range e.Variants {
		hasZero = hasZero || v.Value == 0
	}
	if !hasZero {
		pe.Values = append(pe.Values, &ProtoEnumValue{Name: prefix + "UNSPECIFIED"})
	}
	for _, v := range e.Variants {
		pe.Values = append(pe.Values, &ProtoEnumValue{Name: prefix + upperSnake(v.Name), Number: v.Value, Variant: v})
	}
	return pe
}

func (pb *protoBuilder) recordFields(msg *ProtoMessage) {
	for i, f := range msg.Struct.Fields {
		msg.Fields = append(msg.Fields, &ProtoMessageField{Name: f.Name, Number: i + 1, Doc: f.Doc, ProtoField: pb.field(f.Type), Record: f})
	}
}

func (pb *protoBuilder) service(t *Trait) *ProtoService {
	pkg := pb.p.Package
	svc := &ProtoService{Name: t.Name, FullName: pkg + "." + t.Name, Trait: t, Doc: t.Doc}
	for _, m := range t.Methods {
		base := t.Name + m.GoName
		where := "method `" + t.Name + "::" + m.Name + "`"
		hint := "rename the method or the type"
		msg := func(kind MessageKind, suffix string) *ProtoMessage {
			name := base + suffix
			pb.claim(name, where, m.Pos, hint)
			return &ProtoMessage{Kind: kind, Name: name, FullName: name, GoName: name, Method: m, Trait: t}
		}
		rpc := &ProtoRPC{Name: m.GoName, Path: "/" + pkg + "." + t.Name + "/" + m.GoName, Method: m}
		rpc.Request = msg(MsgRequest, "Request")
		n := 0
		for _, p := range m.Params {
			if p.Stream {
				continue
			}
			n++
			rpc.Request.Fields = append(rpc.Request.Fields, &ProtoMessageField{Name: p.Name, Number: n, ProtoField: pb.field(p.Type), Param: p})
		}
		if m.Kind == Stream {
			rpc.Kind = ServerStream
			rpc.Item = msg(MsgItem, "Item")
			rpc.Item.Fields = []*ProtoMessageField{{Name: "value", Number: 1, ProtoField: pb.field(m.Ret)}}
		} else {
			rpc.Response = msg(MsgResponse, "Response")
			if m.Ret != nil {
				rpc.Response.Fields = []*ProtoMessageField{{Name: "value", Number: 1, ProtoField: pb.field(m.Ret)}}
			}
		}
		if src := m.Source(); src != nil {
			rpc.Kind = ClientStream
			rpc.Item = msg(MsgItem, "Item")
			rpc.Item.Fields = []*ProtoMessageField{{Name: "value", Number: 1, ProtoField: pb.field(src.Type)}}
			rpc.Upload = msg(MsgUpload, "Upload")
			rpc.Upload.Oneof = "part"
			rpc.Upload.Members = []*ProtoMessageField{
				{Name: "args", Number: 1, ProtoField: &ProtoField{Wire: WireMessage, ProtoType: rpc.Request.Name}, Message: rpc.Request},
				{Name: "item", Number: 2, ProtoField: &ProtoField{Wire: WireMessage, ProtoType: rpc.Item.Name}, Message: rpc.Item},
			}
			if src.ItemErr != nil {
				// The Rust stream ended with an error item: its text.
				str := &Type{Kind: String}
				rpc.Upload.Members = append(rpc.Upload.Members, &ProtoMessageField{Name: "error", Number: 3, ProtoField: pb.field(str)})
			}
		}
		if e := m.Err; e != nil && (e.Kind == StructRef || e.Kind == UnitEnum || e.Kind == DataEnum) {
			rpc.Error = msg(MsgError, "Error")
			rpc.Error.Fields = []*ProtoMessageField{{Name: "value", Number: 1, ProtoField: pb.field(e)}}
		}
		svc.RPCs = append(svc.RPCs, rpc)
	}
	return svc
}

// field derives the shape of a field of type t (ADR 0016, "A field of type T").
func (pb *protoBuilder) field(t *Type) *ProtoField {
	switch {
	case isBytes(t):
		return &ProtoField{Wire: WireBytes, ProtoType: "bytes", Type: t, Value: t, Bytes: true}
	case t.Kind == Vec || t.Kind == Array:
		f := &ProtoField{Label: ProtoRepeated, Type: t}
		pb.value(f, t.Elem)
		if f.Wrapper == nil {
			f.Packed = f.Wire != WireBytes && f.Wire != WireMessage
		}
		return f
	case t.Kind == Option:
		f := &ProtoField{Type: t, Option: true}
		pb.value(f, t.Elem)
		if f.Wire != WireMessage {
			f.Label = ProtoOptional
		}
		return f
	case t.Kind == Map:
		native := mapKey(t.Key) && direct(t.Elem)
		entry := pb.entry(t, !native)
		f := &ProtoField{Label: ProtoRepeated, Wire: WireMessage, ProtoType: entry.Name, Type: t, Entry: entry}
		if native {
			f.Label = ProtoMap
			f.ProtoType = "map<" + entry.Fields[0].ProtoType + ", " + entry.Fields[1].ProtoType + ">"
		}
		return f
	}
	f := &ProtoField{Type: t, Value: t}
	f.Wire, f.ProtoType = pb.single(t)
	return f
}

// value sets f's values to elem: direct, or through a wrapper.
func (pb *protoBuilder) value(f *ProtoField, elem *Type) {
	f.Value = elem
	if direct(elem) {
		f.Wire, f.ProtoType = pb.single(elem)
		f.Bytes = isBytes(elem)
		return
	}
	f.Wrapper = pb.wrapper(elem)
	f.Wire, f.ProtoType = WireMessage, f.Wrapper.Name
}

// single is the wire kind and proto spelling of one direct value.
func (pb *protoBuilder) single(t *Type) (WireKind, string) {
	switch t.Kind {
	case Bool:
		return WireVarint, "bool"
	case I8, I16, I32:
		return WireZigzag32, "sint32"
	case I64, Isize:
		return WireZigzag64, "sint64"
	case U8, U16, U32, Char:
		return WireVarint, "uint32"
	case U64, Usize:
		return WireVarint, "uint64"
	case F32:
		return WireFixed32, "float"
	case F64:
		return WireFixed64, "double"
	case String:
		return WireBytes, "string"
	case UnitEnum:
		return WireVarint, t.Enum.Name
	case DataEnum:
		return WireMessage, t.Enum.Name
	case StructRef, Tuple:
		return WireMessage, pb.records[t.Struct].FullName
	}
	if isBytes(t) {
		return WireBytes, "bytes"
	}
	panic(fmt.Sprintf("model: no single protobuf value for %s", t.RustName()))
}

// direct reports whether proto holds a t directly as a value: a scalar,
// string, bytes, enum or message.
func direct(t *Type) bool {
	switch t.Kind {
	case Vec, Array:
		return isBytes(t)
	case Option, Map, GoError:
		return false
	}
	return true
}

// isBytes reports whether t is Vec<u8> or [u8; N]: proto bytes.
func isBytes(t *Type) bool {
	return (t.Kind == Vec || t.Kind == Array) && t.Elem.Kind == U8 && t.Elem.Boxes == 0
}

// mapKey reports whether proto map keys can be t: bool, an integer, char or
// String.
func mapKey(t *Type) bool {
	switch t.Kind {
	case Bool, I8, I16, I32, I64, Isize, U8, U16, U32, U64, Usize, Char, String:
		return true
	}
	return false
}

func (pb *protoBuilder) wrapper(elem *Type) *ProtoMessage {
	name := ReservedPrefixProto + goTypeWord(elem)
	if w := pb.helpers[name]; w != nil {
		return w
	}
	w := &ProtoMessage{Kind: MsgWrapper, Name: name, FullName: name, GoName: name, Wrapped: elem}
	pb.helpers[name] = w
	pb.claimHelper(name)
	w.Fields = []*ProtoMessageField{{Name: "value", Number: 1, ProtoField: pb.field(elem)}}
	pb.p.Helpers = append(pb.p.Helpers, w)
	return w
}

// entry returns the entry message of the map type t. A proto map's entry
// is implicit in .proto, so only an entry written as a message of its own
// (declare) is added to Helpers.
func (pb *protoBuilder) entry(t *Type, declare bool) *ProtoMessage {
	name := ReservedPrefixProto + "Entry" + goTypeWord(t.Key) + goTypeWord(t.Elem)
	e := pb.helpers[name]
	if e == nil {
		e = &ProtoMessage{Kind: MsgEntry, Name: name, FullName: name, GoName: name, Wrapped: t}
		pb.helpers[name] = e
		e.Fields = []*ProtoMessageField{
			{Name: "key", Number: 1, ProtoField: pb.field(t.Key)},
			{Name: "value", Number: 2, ProtoField: pb.field(t.Elem)},
		}
	}
	if declare && !slices.Contains(pb.p.Helpers, e) {
		pb.claimHelper(name)
		pb.p.Helpers = append(pb.p.Helpers, e)
	}
	return e
}

// claimHelper reports a user type named like a wrapper or entry message.
func (pb *protoBuilder) claimHelper(name string) {
	if first, dup := pb.names[name]; dup {
		pb.b.errorf(pb.namePos[name], "rename it: names starting with "+ReservedPrefixProto+" are generated",
			"%s is named like the protobuf message `%s` r2go generates", first, name)
		return
	}
	pb.names[name], pb.namePos[name] = "a generated message", idl.Pos{}
}

// ReservedPrefixProto starts the names of the wrapper and entry messages.
const ReservedPrefixProto = "R2go"

// snake spells a Rust name in lower snake case: DemoUser -> demo_user.
func snake(name string) string {
	ws := words(name)
	for i, w := range ws {
		ws[i] = strings.ToLower(w)
	}
	return strings.Join(ws, "_")
}

// upperSnake spells a Rust name in upper snake case: DemoCode -> DEMO_CODE.
func upperSnake(name string) string { return strings.ToUpper(snake(name)) }
