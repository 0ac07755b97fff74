package gogen

import (
	"fmt"
	"strconv"
	"strings"

	"r2go.dev/r2go/internal/model"
)

// The protobuf codecs and served methods of a bridge (ADR 0016), printed
// from model.Proto: every field number, wire kind and wrapper was decided
// there. Encoders are func(*rt.PBWriter, *T); decoders are
// func(*rt.PBReader, []byte, *T) error and name the path to a bad value.

const protowireImport = "google.golang.org/protobuf/encoding/protowire"

// Names of the protobuf helpers.
func pbAppend(m *model.ProtoMessage) string { return model.ReservedPrefix + "PBAppend_" + m.GoName }
func pbRead(m *model.ProtoMessage) string   { return model.ReservedPrefix + "PBRead_" + m.GoName }
func pbEnum(e *model.Enum) string           { return model.ReservedPrefix + "PBEnum_" + e.GoName }
func pbServe(t *model.Trait, m *model.Method) string {
	return model.ReservedPrefix + "Serve_" + t.GoName + "_" + m.GoName
}

// protoCodecs prints every codec and the registration of served methods.
func (g *gen) protoCodecs() {
	p := g.m.Proto
	if p == nil {
		return
	}
	for _, e := range p.Enums {
		g.pbUnitEnum(e)
	}
	for _, msg := range p.Messages {
		g.pbMessage(msg)
	}
	// Entries of proto maps are implicit in .proto, but Go needs their codecs.
	seen := map[string]bool{}
	var walk func(msg *model.ProtoMessage)
	var fieldHelpers func(f *model.ProtoMessageField)
	fieldHelpers = func(f *model.ProtoMessageField) {
		for _, h := range []*model.ProtoMessage{f.Wrapper, f.Entry} {
			if h != nil && !seen[h.Name] {
				seen[h.Name] = true
				walk(h)
				g.pbMessage(h)
			}
		}
	}
	walk = func(msg *model.ProtoMessage) {
		for _, f := range msg.Fields {
			fieldHelpers(f)
		}
		for _, v := range msg.Variants {
			walk(v)
		}
	}
	for _, msg := range p.Messages {
		walk(msg)
	}
	for _, svc := range p.Services {
		for _, r := range svc.RPCs {
			for _, msg := range []*model.ProtoMessage{r.Request, r.Response, r.Item, r.Error} {
				if msg != nil {
					walk(msg)
				}
			}
		}
	}
	for _, svc := range p.Services {
		for _, r := range svc.RPCs {
			g.pbMessage(r.Request)
			if r.Response != nil {
				g.pbMessage(r.Response)
			}
			if r.Item != nil {
				g.pbMessage(r.Item)
			}
			if r.Error != nil {
				g.pbMessage(r.Error)
			}
			g.serve(svc, r)
		}
	}
	if len(p.Services) == 0 {
		return
	}
	g.P()
	g.P("// The methods served out of process (rt.Served, package rt/grpcserve).")
	g.P("func init() {")
	g.Pf("%s(", g.rt("RegisterServed"))
	for _, svc := range p.Services {
		for _, r := range svc.RPCs {
			field := map[model.RPCKind]string{model.Unary: "Unary", model.ServerStream: "ServerStream", model.ClientStream: "ClientStream"}[r.Kind]
			g.Pf("%s{FullName: %q, Kind: %s, %s: %s},", g.rt("ServedMethod"), r.Path, g.rt(field), field, pbServe(svc.Trait, r.Method))
		}
	}
	g.P(")")
	g.P("}")
}

// pbUnitEnum prints the reader of one unit enum value, which must be a
// variant.
func (g *gen) pbUnitEnum(pe *model.ProtoEnum) {
	e := pe.Enum
	g.P()
	g.Pf("func %s(r *%s, typ %s, b []byte) (%s, []byte, error) {", pbEnum(e), g.rt("PBReader"), g.pkg(protowireImport, "Type"), e.GoName)
	g.P("v, b, err := r.Enum(typ, b)")
	g.P("if err != nil {")
	g.P("return 0, nil, err")
	g.P("}")
	g.Pf("switch %s(v) {", e.GoName)
	var names []string
	for _, v := range e.Variants {
		names = append(names, v.GoName)
	}
	g.Pf("case %s:", strings.Join(names, ", "))
	g.Pf("return %s(v), b, nil", e.GoName)
	g.P("}")
	g.Pf("return 0, nil, &%s{Msg: %s(\"%%d is not a variant of %s\", v)}", g.rt("PBError"), g.pkg("fmt", "Sprintf"), e.Name)
	g.P("}")
}

// target is one value a message's fields are read into or written from.
type target struct {
	param string // the parameter: "v", "k", "a0"
	typ   string // its Go type, without the pointer
}

// pbMessage prints the encoder and the decoder a message needs.
func (g *gen) pbMessage(msg *model.ProtoMessage) {
	var targets []target // one per field, for messages that hold loose values
	var fieldX []string  // the Go expression of each field
	encode, decode := true, true
	switch msg.Kind {
	case model.MsgStruct, model.MsgTuple, model.MsgVariant:
		for _, f := range msg.Struct.Fields {
			fieldX = append(fieldX, "v."+f.GoName)
		}
		targets = []target{{"v", msg.Struct.GoName}}
	case model.MsgDataEnum:
		g.pbDataEnum(msg)
		for _, v := range msg.Variants {
			g.pbMessage(v)
		}
		return
	case model.MsgWrapper, model.MsgResponse, model.MsgItem, model.MsgError:
		if len(msg.Fields) == 0 {
			return // an empty response: no bytes to write
		}
		fieldX = []string{"(*v)"}
		targets = []target{{"v", g.goType(msg.Fields[0].Type)}}
		decode = msg.Kind == model.MsgWrapper || msg.Kind == model.MsgItem
		encode = msg.Kind != model.MsgItem || msg.Method.Source() == nil
	case model.MsgEntry:
		fieldX = []string{"(*k)", "(*v)"}
		targets = []target{{"k", g.goType(msg.Wrapped.Key)}, {"v", g.goType(msg.Wrapped.Elem)}}
	case model.MsgRequest:
		encode = false
		for i, f := range msg.Fields {
			a := model.ReservedPrefix + "A" + strconv.Itoa(i)
			fieldX = append(fieldX, "(*"+a+")")
			targets = append(targets, target{a, g.goType(f.Type)})
		}
	default:
		return
	}
	var params []string
	for _, t := range targets {
		params = append(params, t.param+" *"+t.typ)
	}
	nests := ""
	if msg.Kind == model.MsgStruct && g.recursive(msg.Struct) {
		nests = msg.Struct.GoName
	}
	if encode {
		g.P()
		g.Pf("func %s(w *%s, %s) {", pbAppend(msg), g.rt("PBWriter"), strings.Join(params, ", "))
		if nests != "" {
			g.Pf("w.Nest(%q)", nests)
		}
		for i, f := range msg.Fields {
			g.pbEncodeField(f, fieldX[i])
		}
		if nests != "" {
			g.P("w.Unnest()")
		}
		g.P("}")
	}
	if decode {
		g.P()
		g.Pf("func %s(r *%s, b []byte, %s) error {", pbRead(msg), g.rt("PBReader"), strings.Join(params, ", "))
		if nests != "" {
			g.Pf("if err := r.Nest(%q); err != nil {", nests)
			g.P("return err")
			g.P("}")
			g.P("defer r.Unnest()")
		}
		g.pbDecodeFields(msg.Fields, fieldX)
		g.P("}")
	}
}

// pbDataEnum prints the codec of a data enum: a oneof of its variants.
func (g *gen) pbDataEnum(msg *model.ProtoMessage) {
	e := msg.Enum
	nests := g.recursive(e)
	g.P()
	g.Pf("func %s(w *%s, v *%s) {", pbAppend(msg), g.rt("PBWriter"), e.GoName)
	if nests {
		g.Pf("w.Nest(%q)", e.GoName)
	}
	g.P("switch x := (*v).(type) {")
	for i, vm := range msg.Variants {
		n := msg.Members[i].Number
		g.Pf("case %s:", vm.GoName)
		g.Pf("s := w.Begin(%d)", n)
		g.Pf("%s(w, &x)", pbAppend(vm))
		g.P("w.End(s)")
		g.Pf("case *%s:", vm.GoName)
		g.Pf("s := w.Begin(%d)", n)
		g.Pf("%s(w, x)", pbAppend(vm))
		g.P("w.End(s)")
	}
	g.P("default:")
	g.Pf("panic(%s(%q))", g.rt("NilEnum"), e.GoName)
	g.P("}")
	if nests {
		g.P("w.Unnest()")
	}
	g.P("}")
	g.P()
	g.Pf("func %s(r *%s, b []byte, v *%s) error {", pbRead(msg), g.rt("PBReader"), e.GoName)
	if nests {
		g.Pf("if err := r.Nest(%q); err != nil {", e.GoName)
		g.P("return err")
		g.P("}")
		g.P("defer r.Unnest()")
	}
	g.P("for len(b) > 0 {")
	g.P("num, typ, rest, err := r.Tag(b)")
	g.P("if err != nil {")
	g.P("return err")
	g.P("}")
	g.P("switch num {")
	for i, vm := range msg.Variants {
		f := msg.Members[i]
		g.Pf("case %d:", f.Number)
		g.Pf("var x %s", vm.GoName)
		g.Pf("if x, b, err = %s(r, typ, rest, %s); err != nil {", g.rt("PBMessage"), pbRead(vm))
		g.Pf("return %s(err, %q)", g.rt("PBAt"), f.Name)
		g.P("}")
		g.P("*v = x")
	}
	g.P("default:")
	g.P("if b, err = r.Skip(num, typ, rest); err != nil {")
	g.P("return err")
	g.P("}")
	g.P("}")
	g.P("}")
	g.P("if *v == nil {")
	g.Pf("return %s(%q)", g.rt("PBMissing"), e.Name)
	g.P("}")
	g.P("return nil")
	g.P("}")
}

// pbEncodeField writes field f of the addressable Go value x.
func (g *gen) pbEncodeField(f *model.ProtoMessageField, x string) {
	n := f.Number
	switch {
	case f.Entry != nil:
		g.Pf("for k, e := range %s {", x)
		g.Pf("s := w.Begin(%d)", n)
		g.Pf("%s(w, &k, &e)", pbAppend(f.Entry))
		g.P("w.End(s)")
		g.P("}")
	case f.Label == model.ProtoRepeated:
		elems := x
		if f.Type.Kind == model.Array {
			elems = x + "[:]"
		}
		switch {
		case f.Packed:
			g.Pf("if len(%s) > 0 {", elems)
			g.Pf("s := w.Begin(%d)", n)
			g.Pf("for _, e := range %s {", elems)
			g.P(g.pbRaw(f.Value, "e"))
			g.P("}")
			g.P("w.End(s)")
			g.P("}")
		case f.Wire == model.WireBytes:
			g.Pf("for i := range %s {", elems)
			g.P(g.pbSingle(f.Value, n, elems+"[i]"))
			g.P("}")
		default:
			g.Pf("for i := range %s {", elems)
			g.Pf("s := w.Begin(%d)", n)
			g.Pf("%s(w, &%s[i])", g.pbAppender(f.ProtoField), elems)
			g.P("w.End(s)")
			g.P("}")
		}
	case f.Label == model.ProtoOptional:
		g.Pf("if %s != nil {", x)
		g.P(g.pbSingle(f.Value, n, "(*"+x+")"))
		g.P("}")
	case f.Option:
		g.Pf("if %s != nil {", x)
		g.Pf("s := w.Begin(%d)", n)
		g.Pf("%s(w, %s)", g.pbAppender(f.ProtoField), x)
		g.P("w.End(s)")
		g.P("}")
	case f.Wire == model.WireMessage:
		g.P("{")
		g.Pf("s := w.Begin(%d)", n)
		g.Pf("%s(w, &%s)", g.pbAppender(f.ProtoField), x)
		g.P("w.End(s)")
		g.P("}")
	default:
		cond := g.pbNonZero(f.Value, x)
		if cond == "" {
			g.P(g.pbSingle(f.Value, n, x))
			return
		}
		g.Pf("if %s {", cond)
		g.P(g.pbSingle(f.Value, n, x))
		g.P("}")
	}
}

// pbAppender is the encoder of the messages f's values are.
func (g *gen) pbAppender(f *model.ProtoField) string {
	if f.Wrapper != nil {
		return pbAppend(f.Wrapper)
	}
	return pbAppend(g.recordMessage(f.Value))
}

// pbReader is the decoder of the messages f's values are.
func (g *gen) pbReader(f *model.ProtoField) string {
	if f.Wrapper != nil {
		return pbRead(f.Wrapper)
	}
	return pbRead(g.recordMessage(f.Value))
}

// recordMessage is the message of a struct, tuple or data enum type.
func (g *gen) recordMessage(t *model.Type) *model.ProtoMessage {
	for _, msg := range g.m.Proto.Messages {
		if (t.Struct != nil && msg.Struct == t.Struct) || (t.Enum != nil && msg.Enum == t.Enum) {
			return msg
		}
	}
	panic(fmt.Sprintf("gogen: no message for %s (a bug in r2go)", t.RustName()))
}

// pbNonZero is the condition under which a plain value x is written (not
// at its proto3 default); "" when it always is.
func (g *gen) pbNonZero(t *model.Type, x string) string {
	switch t.Kind {
	case model.Bool:
		return x
	case model.F32, model.F64:
		return x + " != 0 || " + g.pkg("math", "Signbit") + "(float64(" + x + "))"
	case model.String:
		return x + ` != ""`
	case model.Vec:
		return "len(" + x + ") > 0"
	case model.Array:
		if t.Len == 0 {
			return "false"
		}
		return ""
	}
	return x + " != 0"
}

// pbSingle writes one value x of the scalar, string, bytes or unit enum t
// as field n.
func (g *gen) pbSingle(t *model.Type, n int, x string) string {
	switch t.Kind {
	case model.Bool:
		return fmt.Sprintf("w.VarintField(%d, %s(%s))", n, g.rt("PBBool"), x)
	case model.I8, model.I16, model.I32, model.I64, model.Isize:
		return fmt.Sprintf("w.ZigzagField(%d, int64(%s))", n, x)
	case model.UnitEnum:
		return fmt.Sprintf("w.VarintField(%d, uint64(int64(%s)))", n, x)
	case model.F32:
		return fmt.Sprintf("w.Fixed32Field(%d, %s)", n, x)
	case model.F64:
		return fmt.Sprintf("w.Fixed64Field(%d, %s)", n, x)
	case model.String:
		return fmt.Sprintf("w.StringField(%d, %s)", n, x)
	case model.Vec:
		return fmt.Sprintf("w.BytesField(%d, %s)", n, x)
	case model.Array:
		return fmt.Sprintf("w.BytesField(%d, %s[:])", n, x)
	}
	return fmt.Sprintf("w.VarintField(%d, uint64(%s))", n, x)
}

// pbRaw writes one element x of a packed field.
func (g *gen) pbRaw(t *model.Type, x string) string {
	switch t.Kind {
	case model.Bool:
		return "w.Varint(" + g.rt("PBBool") + "(" + x + "))"
	case model.I8, model.I16, model.I32, model.I64, model.Isize:
		return "w.Zigzag(int64(" + x + "))"
	case model.UnitEnum:
		return "w.Varint(uint64(int64(" + x + ")))"
	case model.F32:
		return "w.Fixed32(" + x + ")"
	case model.F64:
		return "w.Fixed64(" + x + ")"
	}
	return "w.Varint(uint64(" + x + "))"
}

// pbOne is a func(*rt.PBReader, protowire.Type, []byte) (T, []byte, error)
// reading one value of f.
func (g *gen) pbOne(f *model.ProtoField) string {
	if f.Wire == model.WireMessage {
		return g.rt("PBMessageOne") + "(" + g.pbReader(f) + ")"
	}
	t := f.Value
	reader := "(*" + g.rt("PBReader") + ")."
	switch t.Kind {
	case model.UnitEnum:
		return pbEnum(t.Enum)
	case model.Vec:
		return reader + "Bytes"
	case model.Array:
		return fmt.Sprintf("func(r *%s, typ %s, b []byte) (x %s, _ []byte, err error) { b, err = r.FixedBytes(typ, b, x[:]); return x, b, err }",
			g.rt("PBReader"), g.pkg(protowireImport, "Type"), g.goType(t))
	}
	name := map[model.Kind]string{
		model.Bool: "Bool", model.I8: "I8", model.I16: "I16", model.I32: "I32", model.I64: "I64", model.Isize: "Isize",
		model.U8: "U8", model.U16: "U16", model.U32: "U32", model.U64: "U64", model.Usize: "Usize", model.Char: "Char",
		model.F32: "F32", model.F64: "F64", model.String: "String",
	}[t.Kind]
	return reader + name
}

// wireType is the protowire type of one value of f.
func (g *gen) wireType(f *model.ProtoField) string {
	name := map[model.WireKind]string{
		model.WireVarint: "VarintType", model.WireZigzag32: "VarintType", model.WireZigzag64: "VarintType",
		model.WireFixed32: "Fixed32Type", model.WireFixed64: "Fixed64Type", model.WireBytes: "BytesType", model.WireMessage: "BytesType",
	}[f.Wire]
	return g.pkg(protowireImport, name)
}

// pbDecodeFields prints the body of a decoder of fields into the
// addressable Go values xs.
func (g *gen) pbDecodeFields(fields []*model.ProtoMessageField, xs []string) {
	arrays := map[int]string{}
	for i, f := range fields {
		if f.Label == model.ProtoRepeated && f.Type.Kind == model.Array {
			arrays[i] = model.ReservedPrefix + "L" + strconv.Itoa(f.Number)
			g.Pf("var %s []%s", arrays[i], g.goType(f.Value))
		}
	}
	g.P("for len(b) > 0 {")
	g.P("num, typ, rest, err := r.Tag(b)")
	g.P("if err != nil {")
	g.P("return err")
	g.P("}")
	g.P("switch num {")
	for i, f := range fields {
		x := xs[i]
		g.Pf("case %d:", f.Number)
		switch {
		case f.Entry != nil:
			g.Pf("b, err = %s(r, typ, rest, &%s, %s)", g.rt("PBEntry"), x, pbRead(f.Entry))
		case f.Label == model.ProtoRepeated:
			dst := "&" + x
			if a, ok := arrays[i]; ok {
				dst = "&" + a
			}
			g.Pf("b, err = %s(r, typ, rest, %s, %s, %s)", g.rt("PBRepeated"), dst, g.wireType(f.ProtoField), g.pbOne(f.ProtoField))
		case f.Label == model.ProtoOptional || f.Option:
			g.Pf("%s, b, err = %s(r, typ, rest, %s)", x, g.rt("PBOptional"), g.pbOne(f.ProtoField))
		case f.Wire == model.WireMessage:
			g.Pf("%s, b, err = %s(r, typ, rest, %s)", x, g.rt("PBMessage"), g.pbReader(f.ProtoField))
		case f.Value.Kind == model.Array:
			g.Pf("b, err = r.FixedBytes(typ, rest, %s[:])", x)
		default:
			g.Pf("%s, b, err = %s(r, typ, rest)", x, g.pbOne(f.ProtoField))
		}
		g.P("if err != nil {")
		g.Pf("return %s(err, %q)", g.rt("PBAt"), f.Name)
		g.P("}")
	}
	g.P("default:")
	g.P("if b, err = r.Skip(num, typ, rest); err != nil {")
	g.P("return err")
	g.P("}")
	g.P("}")
	g.P("}")
	for i, f := range fields {
		x := xs[i]
		switch {
		case arrays[i] != "":
			g.Pf("if err := %s(%s, %s[:]); err != nil {", g.rt("PBArray"), arrays[i], x)
			g.Pf("return %s(err, %q)", g.rt("PBAt"), f.Name)
			g.P("}")
		case f.Entry != nil:
			g.Pf("if %s == nil {", x)
			g.Pf("%s = %s{}", x, g.goType(f.Type))
			g.P("}")
		case f.Label == model.ProtoPlain && !f.Option && f.Value.Kind == model.DataEnum:
			g.Pf("if %s == nil {", x)
			g.Pf("return %s(%s(%q), %q)", g.rt("PBAt"), g.rt("PBMissing"), f.Value.Enum.Name, f.Name)
			g.P("}")
		}
	}
	g.P("return nil")
}

// serve prints the served form of one rpc: decode, call, encode.
func (g *gen) serve(svc *model.ProtoService, r *model.ProtoRPC) {
	t, m := svc.Trait, r.Method
	ctxType := g.pkg("context", "Context")
	g.P()
	g.Pf("// %s serves %s.%s (%s).", pbServe(t, m), t.Name, m.Name, r.Kind)
	switch r.Kind {
	case model.Unary:
		g.Pf("func %s(%s %s, in []byte) ([]byte, error) {", pbServe(t, m), vCtx, ctxType)
	case model.ServerStream:
		g.Pf("func %s(%s %s, in []byte, send func([]byte) error) error {", pbServe(t, m), vCtx, ctxType)
	case model.ClientStream:
		g.Pf("func %s(%s %s, recv func() ([]byte, error)) ([]byte, error) {", pbServe(t, m), vCtx, ctxType)
	}
	fail := "nil, "
	if r.Kind == model.ServerStream {
		fail = ""
	}
	g.Pf("%s := %s.Load()", vReg, t.GoImplVar)
	g.Pf("if %s == nil {", vReg)
	g.Pf("return %s%s(%q, %q)", fail, g.rt("NotServed"), t.GoName, g.m.GoPackage+"."+t.GoRegister)
	g.P("}")
	var args, ptrs, views []string
	for i, p := range m.Params {
		if p.Stream {
			args = append(args, "src")
			continue
		}
		a := vArg + strconv.Itoa(i)
		g.Pf("var %s %s", a, g.goType(p.Type))
		args = append(args, a)
		ptrs = append(ptrs, "&"+a)
		if p.Borrowed {
			// A view of the call's copy that ends with the handler, as in process.
			in := vIn + strconv.Itoa(i)
			views = append(views, in+" := "+g.rt("ViewOf"+strings.TrimSuffix(viewType(p), "View"))+"("+a+")",
				"defer "+g.rt("End"+viewType(p))+"("+in+")")
			args[len(args)-1] = in
		}
	}
	decodeArgs := func(b string) string {
		return fmt.Sprintf("%s(&%s{}, %s%s)", pbRead(r.Request), g.rt("PBReader"), b, strings.Join(append([]string{""}, ptrs...), ", "))
	}
	if r.Kind != model.ClientStream {
		g.Pf("if err := %s; err != nil {", decodeArgs("in"))
		g.Pf("return %s%s(err)", fail, g.rt("InvalidRequest"))
		g.P("}")
	}
	typed := "nil"
	if r.Error != nil {
		match := g.rt("PBErrorAs")
		if m.Err.Kind == model.DataEnum {
			match = g.rt("PBErrorAsSealed")
		}
		typed = fmt.Sprintf("&%s{Name: %q, Match: %s(%s)}", g.rt("PBTypedError"), g.m.Proto.Package+"."+r.Error.FullName, match, pbAppend(r.Error))
	}
	lim := "nil"
	if m.OnGoroutine() {
		lim = vReg + ".Limit"
		args = append([]string{vCtx}, args...)
	}
	call := vReg + ".Impl." + m.GoName + "(" + strings.Join(args, ", ")
	switch r.Kind {
	case model.ServerStream:
		g.Pf("return %s(%s, %s, %s, send, %s, func(%s %s, %s *%s) error {", g.rt("ServeStream"), vCtx, lim, typed, pbAppend(r.Item),
			vCtx, ctxType, vSink, g.rt("Sink")+"["+g.goType(m.Ret)+"]")
		g.P("return ", call, ", ", vSink, ")")
		g.P("})")
		g.P("}")
		return
	case model.ClientStream:
		item := g.goType(m.Source().Type)
		g.Pf("return %s(%s, %s, %s, recv, func(b []byte) error {", g.rt("ServeUpload"), vCtx, lim, typed)
		g.P("return ", decodeArgs("b"))
		g.Pf("}, func(b []byte) (%s, error) {", item)
		g.Pf("var v %s", item)
		g.Pf("return v, %s(&%s{}, b, &v)", pbRead(r.Item), g.rt("PBReader"))
		g.Pf("}, func(%s %s, src *%s, w *%s) error {", vCtx, ctxType, g.rt("Source")+"["+item+"]", g.rt("PBWriter"))
	default:
		g.Pf("return %s(%s, %s, %s, func(%s %s, w *%s) error {", g.rt("ServeCall"), vCtx, lim, typed, vCtx, ctxType, g.rt("PBWriter"))
	}
	call += ")"
	for _, v := range views {
		g.P(v)
	}
	switch {
	case m.Ret == nil && !m.Fallible():
		g.P(call)
		g.P("return nil")
	case m.Ret == nil:
		g.P("return ", call)
	default:
		if m.Fallible() {
			g.P(vRet, ", ", vErr, " := ", call)
			g.Pf("if %s != nil {", vErr)
			g.P("return ", vErr)
			g.P("}")
		} else {
			g.P(vRet, " := ", call)
		}
		g.Pf("%s(w, &%s)", pbAppend(r.Response), vRet)
		g.P("return nil")
	}
	g.P("})")
	g.P("}")
}
