package rustgen

import (
	"fmt"

	"r2go.dev/r2go/internal/idl"
	"r2go.dev/r2go/internal/model"
)

// The protobuf half of the glue (ADR 0016): per struct and enum, the
// r2go::pb Encode and Decode impls; per #[r2g] method, the call over gRPC
// taken when r2go::grpc::transport() is set. Field numbers, rpc paths and
// type URLs come from model.Proto; the wire shape of each field follows
// from its Rust type in r2go::pb, which implements the model's rules once.

// protoIndex finds the protobuf description of the model's items.
type protoIndex struct {
	pkg      string
	messages map[*model.Struct]*model.ProtoMessage // structs and variant payloads
	enums    map[*model.Enum]*model.ProtoMessage   // data enums
	units    map[*model.Enum]*model.ProtoEnum
	rpcs     map[*model.Method]*model.ProtoRPC
}

func newProtoIndex(p *model.Proto) *protoIndex {
	x := &protoIndex{pkg: p.Package, messages: map[*model.Struct]*model.ProtoMessage{},
		enums: map[*model.Enum]*model.ProtoMessage{}, units: map[*model.Enum]*model.ProtoEnum{},
		rpcs: map[*model.Method]*model.ProtoRPC{}}
	for _, msg := range p.Messages {
		switch msg.Kind {
		case model.MsgStruct:
			x.messages[msg.Struct] = msg
		case model.MsgDataEnum:
			x.enums[msg.Enum] = msg
			for _, v := range msg.Variants {
				x.messages[v.Struct] = v
			}
		}
	}
	for _, e := range p.Enums {
		x.units[e.Enum] = e
	}
	for _, svc := range p.Services {
		for _, rpc := range svc.RPCs {
			x.rpcs[rpc.Method] = rpc
		}
	}
	return x
}

func (g *gen) pbPath() string { return g.glue + "::pb" }

// result spells Result<T, E> with E the glue's error type of the codec.
func (g *gen) pbResult(t, err string) string {
	return fmt.Sprintf("::core::result::Result<%s, %s::%s>", t, g.glue, err)
}

// pbEncodeHead opens the Encode impl of a message or enum type.
func (g *gen) pbEncodeHead(name, shape string) {
	pb := g.pbPath()
	g.P()
	g.Pf("impl %s::Encode for %s {", pb, name)
	g.Pf("    const SHAPE: %s::Shape = %s::Shape::%s;", pb, pb, shape)
	g.P()
	g.Pf("    fn encode_raw(&self, r2go_w: &mut %s::Writer) -> %s {", pb, g.pbResult("()", "LendError"))
}

// pbDecodeHead opens the Decode impl of a message or enum type, up to the
// body of decode_raw.
func (g *gen) pbDecodeHead(name, shape string) {
	pb := g.pbPath()
	g.P()
	g.Pf("impl %s::Decode for %s {", pb, name)
	g.Pf("    const SHAPE: %s::Shape = %s::Shape::%s;", pb, pb, shape)
	g.P("    type Slot = ::core::option::Option<Self>;")
	g.P()
	g.Pf("    fn decode_raw(r2go_r: &mut %s::Reader<'_>) -> %s {", pb, g.pbResult("Self", "DecodeError"))
}

// pbDecodeTail closes the Decode impl: the value of an absent field and
// the last-wins merging of a singular one.
func (g *gen) pbDecodeTail() {
	pb := g.pbPath()
	g.P("    }")
	g.P()
	g.Pf("    fn absent() -> %s {", g.pbResult("Self", "DecodeError"))
	g.Pf("        %s::absent()", pb)
	g.P("    }")
	g.P()
	g.Pf("    fn merge(r2go_slot: &mut ::core::option::Option<Self>, r2go_wt: %s::WireType, r2go_r: &mut %s::Reader<'_>) -> %s {", pb, pb, g.pbResult("()", "DecodeError"))
	g.Pf("        %s::merge_last(r2go_slot, r2go_wt, r2go_r)", pb)
	g.P("    }")
	g.P()
	g.Pf("    fn finish(r2go_slot: ::core::option::Option<Self>) -> %s {", g.pbResult("Self", "DecodeError"))
	g.Pf("        %s::finish_last(r2go_slot)", pb)
	g.P("    }")
	g.P("}")
}

// pbWriteFields prints the statements that write a message's fields: each
// value is the expression of field i (a reference).
func (g *gen) pbWriteFields(indent string, msg *model.ProtoMessage, label func(i int) string, value func(i int) string) {
	for i, f := range msg.Fields {
		g.Pf("%sr2go_w.field(%d, %s, %q)?;", indent, f.Number, value(i), label(i))
	}
	g.Pf("%s::core::result::Result::Ok(())", indent)
}

// pbReadFields prints the statements that read a message's fields into
// slots r2go_f0, r2go_f1, … (one per field of s), skipping unknown ones.
func (g *gen) pbReadFields(indent string, msg *model.ProtoMessage, s *model.Struct, label func(i int) string) {
	pb := g.pbPath()
	for i, f := range s.Fields {
		g.Pf("%slet mut r2go_f%d = %s::slot::<%s>();", indent, i, pb, f.Type.RustName())
	}
	if len(s.Fields) == 0 {
		g.Pf("%sr2go_r.each_field(|r2go_r, _, r2go_wt| r2go_r.skip(r2go_wt))?;", indent)
		return
	}
	g.Pf("%sr2go_r.each_field(|r2go_r, r2go_tag, r2go_wt| match r2go_tag {", indent)
	for i, f := range msg.Fields {
		g.Pf("%s    %d => r2go_r.field::<%s>(&mut r2go_f%d, r2go_wt, %q),", indent, f.Number, s.Fields[i].Type.RustName(), i, label(i))
	}
	g.Pf("%s    _ => r2go_r.skip(r2go_wt),", indent)
	g.Pf("%s})?;", indent)
}

// pbFinish is the expression of field i's value from its slot.
func (g *gen) pbFinish(i int, label string) string {
	return fmt.Sprintf("%s::Reader::finish(r2go_f%d, %q)?", g.pbPath(), i, label)
}

// structProto prints the protobuf codec of a struct: a message with its
// fields numbered as the model says.
func (g *gen) structProto(s *model.Struct) {
	msg := g.proto.messages[s]
	label := func(i int) string { return s.Name + "." + s.Fields[i].Name }
	g.pbEncodeHead(s.Name, "Message")
	if len(s.Fields) == 0 {
		g.P("        r2go_w.nested(|_| ::core::result::Result::Ok(()))")
	} else {
		g.P("        r2go_w.nested(|r2go_w| {")
		g.pbWriteFields("            ", msg, label, func(i int) string { return "&self." + model.RustIdent(s.Fields[i].Name) })
		g.P("        })")
	}
	g.P("    }")
	g.P("}")
	g.pbDecodeHead(s.Name, "Message")
	g.P("        r2go_r.message(|r2go_r| {")
	g.pbReadFields("            ", msg, s, label)
	g.P("            ::core::result::Result::Ok(Self {")
	for i, f := range s.Fields {
		g.Pf("                %s: %s,", model.RustIdent(f.Name), g.pbFinish(i, label(i)))
	}
	g.P("            })")
	g.P("        })")
	g.pbDecodeTail()
}

// enumProto prints the protobuf codec of an enum: a proto enum for a unit
// enum, a message with a oneof for a data enum.
func (g *gen) enumProto(e *model.Enum) {
	if e.Unit {
		g.unitEnumProto(e)
		return
	}
	pb := g.pbPath()
	msg := g.proto.enums[e]
	g.pbEncodeHead(e.Name, "Message")
	g.P("        r2go_w.nested(|r2go_w| match self {")
	for i, v := range e.Variants {
		member, vm := msg.Members[i], msg.Variants[i]
		struct_ := v.Kind == idl.StructVariant
		pat := "Self::" + model.RustIdent(v.Name) + variantPattern(v, func(i int, f *model.Field) string {
			if struct_ {
				return fmt.Sprintf("%s: r2go_f%d", model.RustIdent(f.Name), i)
			}
			return fmt.Sprintf("r2go_f%d", i)
		})
		if len(v.Data.Fields) == 0 {
			g.Pf("            %s => r2go_w.variant(%d, |_| ::core::result::Result::Ok(())),", pat, member.Number)
			continue
		}
		g.Pf("            %s => r2go_w.variant(%d, |r2go_w| {", pat, member.Number)
		g.pbWriteFields("                ", vm, func(i int) string {
			return e.Name + "::" + v.Name + "." + fieldLabel(v, i, v.Data.Fields[i])
		}, func(i int) string { return fmt.Sprintf("r2go_f%d", i) })
		g.P("            }),")
	}
	g.P("        })")
	g.P("    }")
	g.P("}")
	g.pbDecodeHead(e.Name, "Message")
	g.P("        r2go_r.message(|r2go_r| {")
	g.P("            let mut r2go_value = ::core::option::Option::None;")
	g.P("            r2go_r.each_field(|r2go_r, r2go_tag, r2go_wt| {")
	g.P("                r2go_value = ::core::option::Option::Some(match r2go_tag {")
	for i, v := range e.Variants {
		member, vm := msg.Members[i], msg.Variants[i]
		label := func(i int) string { return e.Name + "::" + v.Name + "." + fieldLabel(v, i, v.Data.Fields[i]) }
		g.Pf("                    %d => {", member.Number)
		g.Pf("                        r2go_r.expect(r2go_wt, %s::WireType::Len)?;", pb)
		g.P("                        r2go_r.message(|r2go_r| {")
		g.pbReadFields("                            ", vm, v.Data, label)
		g.variantValue("                            ", v, label)
		g.P("                        })?")
		g.P("                    }")
	}
	g.P("                    _ => return r2go_r.skip(r2go_wt),")
	g.P("                });")
	g.P("                ::core::result::Result::Ok(())")
	g.P("            })?;")
	g.Pf("            r2go_value.ok_or_else(|| %s::no_variant(%q))", pb, e.Name)
	g.P("        })")
	g.pbDecodeTail()
}

// unitEnumProto prints the codec of a unit enum: its values are the Rust
// discriminants; a value no variant has (UNSPECIFIED among them) is an error.
func (g *gen) unitEnumProto(e *model.Enum) {
	pe := g.proto.units[e]
	g.pbEncodeHead(e.Name, "Varint")
	g.P("        r2go_w.int32(match self {")
	zero := ""
	for _, v := range pe.Values {
		if v.Variant == nil {
			continue
		}
		path := "Self::" + model.RustIdent(v.Variant.Name)
		if v.Number == 0 {
			zero = path
		}
		g.Pf("            %s => %d,", path, v.Number)
	}
	g.P("        });")
	g.P("        ::core::result::Result::Ok(())")
	g.P("    }")
	if zero != "" {
		g.P()
		g.P("    fn is_default(&self) -> bool {")
		g.Pf("        ::core::matches!(self, %s)", zero)
		g.P("    }")
	}
	g.P("}")
	g.pbDecodeHead(e.Name, "Varint")
	g.P("        match r2go_r.int32()? {")
	for _, v := range pe.Values {
		if v.Variant != nil {
			g.Pf("            %d => ::core::result::Result::Ok(Self::%s),", v.Number, model.RustIdent(v.Variant.Name))
		}
	}
	g.Pf("            v => ::core::result::Result::Err(%s::DecodeError::unknown_variant(%q, i64::from(v))),", g.glue, e.Name)
	g.P("        }")
	g.pbDecodeTail()
}

// remoteCall prints, at the top of a method's body, the call over gRPC
// taken while r2go::grpc::transport() is set. reply is the method's Reply
// type (Value<T>, Fallible<T, E>, Items<T>, FallibleItems<T, E>).
// input is the SourceItems type of a stream parameter (source).
func (g *gen) remoteCall(t *model.Trait, m *model.Method, reply string, source *model.Param, input string) {
	rpc := g.proto.rpcs[m]
	what := t.Name + "::" + m.Name
	errorURL := "::core::option::Option::None"
	if rpc.Error != nil {
		errorURL = fmt.Sprintf("::core::option::Option::Some(%q)", model.TypeURL(g.proto.pkg, rpc.Error))
	}
	fn, wrap := "remote_sync", ""
	switch {
	case m.Kind == model.Stream:
		fn = "remote_stream"
	case source != nil:
		fn, wrap = "remote_upload", g.glue+"::Call::Remote"
	case m.Kind == model.Async:
		fn, wrap = "remote_async", g.glue+"::Call::Remote"
	}
	g.Pf("        if let ::core::option::Option::Some(r2go_remote) = %s::transport() {", g.glue)
	open, close := "return ", ";"
	if wrap != "" {
		open, close = "return "+wrap+"(", ");"
	}
	extra := ""
	if source != nil {
		extra = ", " + input + ", _"
	}
	g.Pf("            %s%s::%s::<%s%s>(", open, g.glue, fn, reply, extra)
	g.P("                r2go_remote,")
	g.Pf("                %q,", what)
	g.Pf("                %s::Rpc {", g.glue)
	g.Pf("                    path: %q,", rpc.Path)
	g.Pf("                    error_url: %s,", errorURL)
	g.P("                },")
	if len(rpc.Request.Fields) == 0 {
		g.P("                |_| ::core::result::Result::Ok(()),")
	} else {
		g.P("                |r2go_w| {")
		for _, f := range rpc.Request.Fields {
			id := model.RustIdent(f.Param.Name)
			if !f.Param.ByRef {
				id = "&" + id
			}
			g.Pf("                    r2go_w.field(%d, %s, %q)?;", f.Number, id, f.Param.Name)
		}
		g.P("                    ::core::result::Result::Ok(())")
		g.P("                },")
	}
	if source != nil {
		g.Pf("                %s,", model.RustIdent(source.Name))
	}
	g.Pf("            )%s", close)
	g.P("        }")
}

// variantValue prints Ok(the variant) built from its fields' slots, one
// field per line.
func (g *gen) variantValue(indent string, v *model.Variant, label func(i int) string) {
	path := "Self::" + model.RustIdent(v.Name)
	switch {
	case len(v.Data.Fields) == 0:
		g.Pf("%s::core::result::Result::Ok(%s%s)", indent, path, variantPattern(v, nil))
	case v.Kind == idl.StructVariant:
		g.Pf("%s::core::result::Result::Ok(%s {", indent, path)
		for i, f := range v.Data.Fields {
			g.Pf("%s    %s: %s,", indent, model.RustIdent(f.Name), g.pbFinish(i, label(i)))
		}
		g.Pf("%s})", indent)
	default:
		g.Pf("%s::core::result::Result::Ok(%s(", indent, path)
		for i := range v.Data.Fields {
			g.Pf("%s    %s,", indent, g.pbFinish(i, label(i)))
		}
		g.Pf("%s))", indent)
	}
}
