package idl

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// maxTypeDepth bounds the nesting of type expressions, so that hostile input
// cannot exhaust the stack. No real interface comes close.
const maxTypeDepth = 64

// Parse parses user.rs. It always returns a File, holding the items that
// parsed cleanly; if anything was wrong, the error is an ErrorList, sorted by
// position, with at most one syntax error per item plus any lexical errors.
func Parse(path string, src []byte) (*File, error) {
	toks, lexErrs := lex(src)
	p := &parser{path: path, src: src, toks: toks, file: &File{Path: path}}
	for _, e := range lexErrs {
		p.lexErrOffs = append(p.lexErrOffs, e.off)
		p.errs = append(p.errs, &Error{Path: path, Pos: e.pos, Msg: e.msg})
	}
	sort.Ints(p.lexErrOffs)
	p.parseFile()
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i].Pos, p.errs[j].Pos
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return p.file, p.errs.Err()
}

type parser struct {
	path string
	src  []byte
	toks []token // ends with tokEOF
	i    int     // index of the current token
	file *File
	errs ErrorList

	lexErrOffs []int // sorted

	// Per item: where it starts, and whether it already has an error. One
	// error per item is enough; what follows the first is mostly noise.
	itemOff int
	failed  bool
}

// Strict and reserved keywords of Rust 2018 and later; neither can be a name
// unless written as a raw identifier.
var (
	strictKeywords = setOf("as", "async", "await", "break", "const", "continue",
		"crate", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
		"impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
		"return", "self", "Self", "static", "struct", "super", "trait", "true",
		"type", "unsafe", "use", "where", "while")
	reservedKeywords = setOf("abstract", "become", "box", "do", "final", "macro",
		"override", "priv", "try", "typeof", "unsized", "virtual", "yield")
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isName reports whether t can name a struct, field, method and so on.
func isName(t *token) bool {
	return t.kind == tokIdent && (t.raw || !strictKeywords[t.text] && !reservedKeywords[t.text] && t.text != "_")
}

// isPathSegment is isName plus the keywords that may begin a path.
func isPathSegment(t *token) bool {
	if isName(t) {
		return true
	}
	switch {
	case t.isKeyword("self"), t.isKeyword("Self"), t.isKeyword("super"), t.isKeyword("crate"):
		return true
	}
	return false
}

// describe names a token for "found X" in messages.
func describe(t *token) string {
	switch t.kind {
	case tokEOF:
		return "end of file"
	case tokString:
		return "string literal"
	case tokLifetime:
		return "lifetime `" + t.text + "`"
	case tokIdent:
		switch {
		case t.raw:
		case strictKeywords[t.text]:
			return "keyword `" + t.text + "`"
		case reservedKeywords[t.text]:
			return "reserved keyword `" + t.text + "`"
		}
	}
	return "`" + t.text + "`"
}

// Token cursor.

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peek(n int) *token { return &p.toks[min(p.i+n, len(p.toks)-1)] }

// next returns the current token and moves past it; it stays at EOF.
func (p *parser) next() *token {
	t := &p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

// text returns the trimmed source between two offsets.
func (p *parser) text(from, to int) string { return strings.TrimSpace(string(p.src[from:to])) }

// Errors.

func (p *parser) beginItem() {
	p.itemOff = p.tok().off
	p.failed = false
}

// errorAt records an error at t, unless the item already has one or a
// lexical error inside the item explains it (an unterminated string, say,
// leaves the parser staring at the end of the file).
func (p *parser) errorAt(t *token, msg, hint string) {
	if p.failed {
		return
	}
	p.failed = true
	// Find the first lexical error at or after the start of the item.
	k := sort.SearchInts(p.lexErrOffs, p.itemOff)
	if k < len(p.lexErrOffs) && p.lexErrOffs[k] <= max(t.end, p.tok().end) {
		return
	}
	p.errs = append(p.errs, &Error{Path: p.path, Pos: t.pos, Msg: msg, Hint: hint})
}

// expected reports "expected WHAT, found X" at the current token.
func (p *parser) expected(what string) {
	t := p.tok()
	p.errorAt(t, "expected "+what+", found "+describe(t), "")
}

func (p *parser) expectIdent() (*token, bool) {
	t := p.tok()
	if isName(t) {
		p.next()
		return t, true
	}
	hint := ""
	if t.kind == tokIdent && !t.raw && (strictKeywords[t.text] || reservedKeywords[t.text]) && canBeRaw(t.text) {
		// Only where the keyword clearly stands for a name; a keyword
		// followed by a name is more likely the start of the next item.
		if n := p.peek(1); n.isPunct(":") || n.isPunct("{") || n.isPunct("(") || n.isPunct(";") || n.isPunct("=") || n.isPunct("<") || n.isPunct(",") {
			hint = fmt.Sprintf("write `r#%s` to use `%s` as a name", t.text, t.text)
		}
	}
	p.errorAt(t, "expected identifier, found "+describe(t), hint)
	return t, false
}

func canBeRaw(s string) bool {
	switch s {
	case "crate", "self", "super", "Self":
		return false
	}
	return true
}

// Items.

func (p *parser) parseFile() {
	// Inner attributes configure the crate, not the interface.
	for p.tok().isPunct("#") && p.peek(1).isPunct("!") {
		start := p.i
		p.beginItem()
		if _, _, ok := p.parseAttr(); !ok {
			p.recover(start, start)
		}
	}
	for p.tok().kind != tokEOF {
		p.parseItem()
	}
}

func (p *parser) parseItem() {
	start := p.i
	p.beginItem()
	doc, attrs, ok := p.parseOuterAttrs()
	if ok {
		ok = p.parseVisibility()
	}
	if !ok {
		p.recover(start, start)
		return
	}
	kw := p.i
	t, next := p.tok(), p.peek(1)
	switch {
	case t.isKeyword("struct"):
		ok = appendItem(&p.file.Structs, p.parseStruct(doc, attrs))
	case t.isKeyword("enum"):
		ok = appendItem(&p.file.Enums, p.parseEnum(doc, attrs))
	case t.isKeyword("trait"):
		ok = appendItem(&p.file.Traits, p.parseTrait(doc, attrs))
	case t.isKeyword("type"):
		ok = appendItem(&p.file.Aliases, p.parseAlias())
	case t.isKeyword("unsafe") && next.isKeyword("trait"):
		p.errorAt(t, "unsafe traits are not supported", "")
		ok = false
	case t.kind == tokIdent && t.text == "union" && isName(next):
		p.errorAt(t, "unions are not supported", "")
		ok = false
	case p.isMacroItem():
		ok = p.skipMacroItem()
	case t.isKeyword("use"), t.isKeyword("static"),
		t.isKeyword("extern") && next.isKeyword("crate"),
		t.isKeyword("const") && !isFnQualifier(next):
		p.skipItem(false)
	case t.isKeyword("mod"), t.isKeyword("impl"), t.isKeyword("fn"), t.isKeyword("extern"),
		t.isKeyword("const"),
		t.isKeyword("unsafe") && (isFnQualifier(next) || next.isKeyword("impl") || next.isKeyword("mod")),
		t.isKeyword("async") && isFnQualifier(next):
		p.skipItem(true)
	default:
		hint := ""
		if t.isPunct(";") {
			hint = "remove the `;`"
		}
		p.errorAt(t, "expected an item (`struct`, `enum`, `trait` or `type`), found "+describe(t), hint)
		p.skipToItemStart()
		return
	}
	if !ok {
		p.recover(start, kw)
	}
}

// appendItem appends x to *list unless parsing x failed.
func appendItem[T any](list *[]*T, x *T) bool {
	if x == nil {
		return false
	}
	*list = append(*list, x)
	return true
}

func isFnQualifier(t *token) bool {
	return t.isKeyword("fn") || t.isKeyword("unsafe") || t.isKeyword("async") || t.isKeyword("extern")
}

// recover moves past the rest of a broken item that began at token start
// (its first attribute, if any) and whose keyword is at token kw: to its `;`
// or the end of its first `{...}` group, whichever comes first. If the item
// runs into what looks like the start of the next one, typically because a
// `}` or `;` is missing, parsing resumes there instead.
func (p *parser) recover(start, kw int) {
	if j, ok := p.itemStartAt(p.i, kw); ok {
		p.i = j
		return
	}
	p.i = start + 1
	for {
		t := p.tok()
		switch {
		case t.kind == tokEOF:
			return
		case t.isPunct(";"), t.isClose():
			p.next()
			return
		case t.isOpen():
			brace := t.isPunct("{")
			p.skipGroup()
			if brace {
				return
			}
		default:
			if j, ok := p.itemStartAt(p.i, kw); ok {
				p.i = j
				return
			}
			p.next()
		}
	}
}

// itemStartAt reports whether token i starts a new item on a line of its
// own, possibly after a visibility, and if so the index of that item's first
// token, which must come after token start. Only keywords that never occur
// in the middle of a struct, enum, trait or alias count.
func (p *parser) itemStartAt(i, start int) (int, bool) {
	t := &p.toks[i]
	switch {
	case t.isKeyword("struct"), t.isKeyword("enum"), t.isKeyword("trait"), t.isKeyword("mod"),
		t.isKeyword("use"), t.isKeyword("impl"):
	case t.kind == tokIdent && t.text == "union" && i+1 < len(p.toks) && isName(&p.toks[i+1]):
	default:
		return 0, false
	}
	j := i
	switch {
	case j-1 > start && p.toks[j-1].isKeyword("pub"):
		j--
	case j-4 > start && p.toks[j-1].isPunct(")") && p.toks[j-3].isPunct("(") && p.toks[j-4].isKeyword("pub"):
		j -= 4 // pub(crate), pub(super), pub(self)
	}
	if j <= start || !p.toks[j].lineStart {
		return 0, false
	}
	return j, true
}

// skipToItemStart skips the offending token and whatever follows up to
// something that can begin an item.
func (p *parser) skipToItemStart() {
	for first := true; p.tok().kind != tokEOF; first = false {
		if !first && p.isItemStart() {
			return
		}
		if p.tok().isOpen() {
			p.skipGroup()
		} else {
			p.next()
		}
	}
}

func (p *parser) isItemStart() bool {
	t := p.tok()
	switch {
	case t.isPunct("#"):
		return p.peek(1).isPunct("[") || p.peek(1).isPunct("!")
	case t.kind == tokIdent && t.text == "union":
		return isName(p.peek(1))
	case t.kind == tokIdent && !t.raw:
		switch t.text {
		case "pub", "struct", "enum", "trait", "type", "use", "mod", "impl", "fn",
			"const", "static", "extern", "unsafe", "async":
			return true
		}
	}
	return p.isMacroItem()
}

// skipItem skips an item that r2go ignores, such as `use` or `impl`. It ends
// with `;` or, if braceEnds, with its first `{...}` group.
func (p *parser) skipItem(braceEnds bool) {
	start := p.i
	want := "`;`"
	if braceEnds {
		want = "`{` or `;`"
	}
	for {
		t := p.tok()
		switch {
		case t.isPunct(";"):
			p.next()
			return
		case t.isOpen():
			brace := t.isPunct("{")
			p.skipGroup()
			if brace && braceEnds {
				return
			}
		case t.isClose():
			p.errorAt(t, "unexpected closing delimiter `"+t.text+"`", "")
			p.next()
		case t.kind == tokEOF:
			p.expected(want)
			return
		default:
			if j, ok := p.itemStartAt(p.i, start); ok {
				p.i = j
				p.expected(want)
				return
			}
			p.next()
		}
	}
}

// isMacroItem reports whether a macro invocation `path!` starts here.
func (p *parser) isMacroItem() bool {
	i := p.i
	if i > 0 && (p.toks[i-1].isPunct("::") || p.toks[i].isPunct("::") && p.toks[i-1].kind == tokIdent) {
		// Inside a path, not at its start. Looking again from every segment
		// would make skipping a long path quadratic.
		return false
	}
	if p.toks[i].isPunct("::") {
		i++
	}
	for i < len(p.toks) && p.toks[i].kind == tokIdent {
		if i+1 < len(p.toks) && p.toks[i+1].isPunct("!") {
			return true
		}
		if i+2 < len(p.toks) && p.toks[i+1].isPunct("::") {
			i += 2
			continue
		}
		break
	}
	return false
}

// skipMacroItem skips `path! { ... }`, `path!(...);`, `path![...];` and
// `macro_rules! name { ... }`.
func (p *parser) skipMacroItem() bool {
	start := p.tok()
	for !p.tok().isPunct("!") {
		p.next()
	}
	bang := p.next()
	if p.tok().kind == tokIdent {
		p.next()
	}
	if !p.tok().isOpen() {
		p.expected("`(`, `[` or `{` after `" + p.text(start.off, bang.end) + "`")
		return false
	}
	if !p.skipGroup() {
		return false
	}
	if p.tok().isPunct(";") {
		p.next()
	}
	return true
}

// skipGroup consumes the delimited group that opens at the current token.
// Mismatched closers are reported and, where an outer opener matches, taken
// to close it, which is what the writer most likely meant; others are
// ignored.
func (p *parser) skipGroup() bool {
	var stack []*token
	open := map[string]int{} // how many of each opener the stack holds
	ok := true
	for {
		t := p.tok()
		switch {
		case t.kind == tokEOF:
			if len(stack) > 0 {
				p.errorAt(stack[0], "unclosed delimiter `"+stack[0].text+"`", "")
			}
			return false
		case t.isOpen():
			stack = append(stack, t)
			open[t.text]++
		case t.isClose():
			want := opener(t.text)
			if stack[len(stack)-1].text != want {
				p.errorAt(t, "mismatched closing delimiter `"+t.text+"`", "")
				ok = false
			}
			if open[want] > 0 {
				for {
					top := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					open[top.text]--
					if top.text == want {
						break
					}
				}
				if len(stack) == 0 {
					p.next()
					return ok
				}
			}
		}
		p.next()
	}
}

func opener(closer string) string {
	switch closer {
	case ")":
		return "("
	case "]":
		return "["
	}
	return "{"
}

// skipUntil consumes tokens, whole groups at a time, up to the first token
// for which stop is true, a stray closing delimiter or the end of the file.
func (p *parser) skipUntil(stop func(*token) bool) bool {
	for {
		t := p.tok()
		switch {
		case t.kind == tokEOF, t.isClose(), stop(t):
			return true
		case t.isOpen():
			if !p.skipGroup() {
				return false
			}
		default:
			p.next()
		}
	}
}

// Attributes and visibility.

// parseOuterAttrs parses the attributes before an item, field, variant,
// method or parameter. Doc comments and doc attributes become doc; the other
// attributes are returned in order.
func (p *parser) parseOuterAttrs() (doc string, attrs []Attr, ok bool) {
	var docs []string
	for {
		t := p.tok()
		docs = append(docs, t.docs...)
		if !t.isPunct("#") {
			break
		}
		if p.peek(1).isPunct("!") {
			p.errorAt(t, "inner attributes are only allowed at the top of the file", "")
			return "", nil, false
		}
		a, value, ok := p.parseAttr()
		if !ok {
			return "", nil, false
		}
		if a.Path == "doc" {
			// Only #[doc = "..."] carries text; #[doc(hidden)] and the
			// like are dropped.
			if value != nil && value.kind == tokString {
				docs = append(docs, stripOneSpace(value.val))
			}
			continue
		}
		attrs = append(attrs, a)
	}
	return strings.TrimRightFunc(strings.Join(docs, "\n"), unicode.IsSpace), attrs, true
}

// parseAttr parses #[path], #[path(...)], #[path[...]], #[path{...}] or
// #[path = value], and the same with `#!`. If the value is a single token,
// such as the string of #[doc = "..."], it is returned too.
func (p *parser) parseAttr() (a Attr, value *token, ok bool) {
	a.Pos = p.next().pos // #
	if p.tok().isPunct("!") {
		a.Inner = true
		p.next()
	}
	if !p.tok().isPunct("[") {
		p.expected("`[` after `#`")
		return a, nil, false
	}
	p.next()
	if p.tok().isPunct("::") {
		p.next()
	}
	var segs []string
	for {
		t := p.tok()
		// Any identifier will do, keywords too: #[unsafe(no_mangle)].
		if t.kind != tokIdent {
			p.expected("an attribute name")
			return a, nil, false
		}
		segs = append(segs, t.val)
		p.next()
		if !p.tok().isPunct("::") || p.peek(1).kind != tokIdent {
			break
		}
		p.next()
	}
	a.Path = strings.Join(segs, "::")
	switch t := p.tok(); {
	case t.isOpen():
		if !p.skipGroup() {
			return a, nil, false
		}
		closing := p.toks[p.i-1] // skipGroup stops just past it
		a.Args = p.text(t.end, closing.off)
	case t.isPunct("="):
		p.next()
		first := p.i
		if !p.skipUntil(func(t *token) bool { return t.isPunct("]") }) {
			return a, nil, false
		}
		a.Args = p.text(t.end, p.tok().off)
		if a.Args == "" && p.tok().isPunct("]") {
			p.errorAt(p.tok(), "expected a value after `=` in attribute `"+a.Path+"`", "")
			return a, nil, false
		}
		if p.i == first+1 {
			value = &p.toks[first]
		}
	}
	if !p.tok().isPunct("]") {
		p.expected("`]` to close attribute `" + a.Path + "`")
		return a, nil, false
	}
	p.next()
	return a, value, true
}

// parseVisibility skips pub, pub(crate), pub(super), pub(self) and
// pub(in path): r2go exports whatever the user describes.
func (p *parser) parseVisibility() bool {
	if !p.tok().isKeyword("pub") {
		return true
	}
	p.next()
	if !p.tok().isPunct("(") {
		return true
	}
	switch t := p.peek(1); {
	case (t.isKeyword("crate") || t.isKeyword("super") || t.isKeyword("self")) && p.peek(2).isPunct(")"):
		p.next()
		p.next()
		p.next()
		return true
	case t.isKeyword("in"):
		p.next()
		p.next()
		if p.tok().isPunct("::") {
			p.next()
		}
		for isPathSegment(p.tok()) {
			p.next()
			if !p.tok().isPunct("::") {
				break
			}
			p.next()
		}
		if !p.tok().isPunct(")") {
			p.expected("`)` after visibility path")
			return false
		}
		p.next()
		return true
	}
	p.errorAt(p.tok(), "incorrect visibility restriction", "use `pub(crate)`, `pub(super)`, `pub(self)` or `pub(in path)`")
	return false
}

// Structs and enums.

func (p *parser) parseStruct(doc string, attrs []Attr) *Struct {
	p.next() // struct
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	switch t := p.tok(); {
	case t.isPunct("<"):
		p.errorAt(t, "generic structs are not supported", "use concrete types")
		return nil
	case t.isPunct("("):
		p.errorAt(t, "tuple structs are not supported", "give the fields names: `struct A { x: u8 }`")
		return nil
	case t.isPunct(";"):
		p.errorAt(t, "unit structs are not supported", "add at least one field")
		return nil
	case t.isKeyword("where"):
		p.errorAt(t, "where clauses are not supported", "")
		return nil
	case !t.isPunct("{"):
		p.expected("`{` after struct name `" + name.val + "`")
		return nil
	}
	fields, ok := p.parseFields()
	if !ok {
		return nil
	}
	return &Struct{Pos: name.pos, Name: name.val, Doc: doc, Attrs: attrs, Fields: fields}
}

// parseFields parses `{ name: Type, ... }` of a struct or struct variant.
func (p *parser) parseFields() ([]*Field, bool) {
	open := p.next()
	var fields []*Field
	for !p.tok().isPunct("}") {
		if p.tok().kind == tokEOF {
			p.errorAt(open, "unclosed delimiter `{`", "")
			return nil, false
		}
		doc, _, ok := p.parseOuterAttrs() // field attributes mean nothing to r2go
		if !ok || !p.parseVisibility() {
			return nil, false
		}
		name, ok := p.expectIdent()
		if !ok {
			return nil, false
		}
		if t := p.tok(); !t.isPunct(":") {
			hint := ""
			if isPathSegment(t) {
				hint = fmt.Sprintf("write `%s: %s`", name.val, t.text)
			}
			p.errorAt(t, fmt.Sprintf("expected `:` after field name `%s`, found %s", name.val, describe(t)), hint)
			return nil, false
		}
		p.next()
		ty := p.parseType(0)
		if ty == nil {
			return nil, false
		}
		fields = append(fields, &Field{Pos: name.pos, Name: name.val, Doc: doc, Type: ty})
		if !p.endOfElement("}", "field `"+name.val+"`", "separate fields with `,`") {
			return nil, false
		}
	}
	p.next()
	return fields, true
}

// endOfElement consumes the `,` after a list element, or leaves the closing
// delimiter for the caller. Otherwise it reports the problem; when the next
// line starts what looks like another element, the `,` was surely forgotten
// and the hint says so.
func (p *parser) endOfElement(closing, what, hint string) bool {
	t := p.tok()
	if t.isPunct(",") {
		p.next()
		return true
	}
	if t.isPunct(closing) {
		return true
	}
	if !t.lineStart || !(isName(t) || t.isKeyword("pub") || t.isPunct("#")) {
		hint = ""
	}
	p.errorAt(t, fmt.Sprintf("expected `,` or `%s` after %s, found %s", closing, what, describe(t)), hint)
	return false
}

func (p *parser) parseEnum(doc string, attrs []Attr) *Enum {
	p.next() // enum
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	switch t := p.tok(); {
	case t.isPunct("<"):
		p.errorAt(t, "generic enums are not supported", "use concrete types")
		return nil
	case t.isKeyword("where"):
		p.errorAt(t, "where clauses are not supported", "")
		return nil
	case !t.isPunct("{"):
		p.expected("`{` after enum name `" + name.val + "`")
		return nil
	}
	open := p.next()
	e := &Enum{Pos: name.pos, Name: name.val, Doc: doc, Attrs: attrs}
	for !p.tok().isPunct("}") {
		if p.tok().kind == tokEOF {
			p.errorAt(open, "unclosed delimiter `{`", "")
			return nil
		}
		v := p.parseVariant()
		if v == nil {
			return nil
		}
		e.Variants = append(e.Variants, v)
		if !p.endOfElement("}", "variant `"+v.Name+"`", "separate variants with `,`") {
			return nil
		}
	}
	p.next()
	return e
}

func (p *parser) parseVariant() *Variant {
	doc, _, ok := p.parseOuterAttrs()
	if !ok {
		return nil
	}
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	v := &Variant{Pos: name.pos, Name: name.val, Doc: doc}
	switch t := p.tok(); {
	case t.isPunct("("):
		v.Kind = TupleVariant
		p.next()
		for !p.tok().isPunct(")") {
			if _, _, ok := p.parseOuterAttrs(); !ok {
				return nil
			}
			ty := p.parseType(0)
			if ty == nil {
				return nil
			}
			v.Types = append(v.Types, ty)
			if t := p.tok(); t.isPunct(",") {
				p.next()
			} else if !t.isPunct(")") {
				p.expected("`,` or `)` in tuple variant `" + v.Name + "`")
				return nil
			}
		}
		p.next()
	case t.isPunct("{"):
		v.Kind = StructVariant
		if v.Fields, ok = p.parseFields(); !ok {
			return nil
		}
	}
	if eq := p.tok(); eq.isPunct("=") {
		p.next()
		if !p.skipUntil(func(t *token) bool { return t.isPunct(",") || t.isPunct(";") }) {
			return nil
		}
		v.Discriminant = p.text(eq.end, p.tok().off)
		if v.Discriminant == "" {
			p.errorAt(p.tok(), "expected a discriminant expression after `=`", "")
			return nil
		}
	}
	return v
}

// Traits.

func (p *parser) parseTrait(doc string, attrs []Attr) *Trait {
	p.next() // trait
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	switch t := p.tok(); {
	case t.isPunct("<"):
		p.errorAt(t, "generic traits are not supported", "use concrete types")
		return nil
	case t.isPunct(":"):
		p.errorAt(t, "supertraits are not supported", "")
		return nil
	case t.isKeyword("where"):
		p.errorAt(t, "where clauses are not supported", "")
		return nil
	case !t.isPunct("{"):
		p.expected("`{` after trait name `" + name.val + "`")
		return nil
	}
	open := p.next()
	tr := &Trait{Pos: name.pos, Name: name.val, Doc: doc, Attrs: attrs}
	for !p.tok().isPunct("}") {
		if p.tok().kind == tokEOF {
			p.errorAt(open, "unclosed delimiter `{`", "")
			return nil
		}
		m := p.parseMethod()
		if m == nil {
			return nil
		}
		tr.Methods = append(tr.Methods, m)
	}
	p.next()
	return tr
}

func (p *parser) parseMethod() *Method {
	doc, attrs, ok := p.parseOuterAttrs()
	if !ok {
		return nil
	}
	m := &Method{Doc: doc, Attrs: attrs}
	for {
		t := p.tok()
		if t.isKeyword("async") {
			m.Async = true
			p.next()
			continue
		}
		if t.isKeyword("const") && !isFnQualifier(p.peek(1)) {
			p.errorAt(t, "associated consts are not supported in traits", "")
			return nil
		}
		if t.isKeyword("const") || t.isKeyword("unsafe") || t.isKeyword("extern") {
			p.errorAt(t, fmt.Sprintf("`%s` methods are not supported", t.text), fmt.Sprintf("remove `%s`", t.text))
			return nil
		}
		break
	}
	if t := p.tok(); t.isKeyword("type") {
		p.errorAt(t, "associated types are not supported in traits", "")
		return nil
	} else if !t.isKeyword("fn") {
		p.expected("a trait method (`fn`)")
		return nil
	}
	p.next()
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	m.Pos, m.Name = name.pos, name.val
	if t := p.tok(); t.isPunct("<") {
		p.errorAt(t, "generic methods are not supported", "use concrete types")
		return nil
	} else if !t.isPunct("(") {
		p.expected("`(` after method name `" + m.Name + "`")
		return nil
	}
	p.next()
	for !p.tok().isPunct(")") {
		param := p.parseParam(m.Name)
		if param == nil {
			return nil
		}
		m.Params = append(m.Params, param)
		if t := p.tok(); t.isPunct(",") {
			p.next()
		} else if !t.isPunct(")") {
			p.expected("`,` or `)` after parameter `" + param.Name + "`")
			return nil
		}
	}
	p.next()
	if p.tok().isPunct("->") {
		p.next()
		if m.Ret = p.parseType(0); m.Ret == nil {
			return nil
		}
	}
	switch t := p.tok(); {
	case t.isPunct(";"):
		p.next()
		return m
	case t.isKeyword("where"):
		p.errorAt(t, "where clauses are not supported", "")
	case t.isPunct("{"):
		p.errorAt(t, fmt.Sprintf("trait method `%s` must end with `;`, not a body", m.Name), "replace the body with `;`")
	default:
		hint := ""
		if t.lineStart {
			hint = "add `;` at the end of the method"
		}
		p.errorAt(t, fmt.Sprintf("expected `;` after method `%s`, found %s", m.Name, describe(t)), hint)
	}
	return nil
}

func (p *parser) parseParam(method string) *Param {
	if _, _, ok := p.parseOuterAttrs(); !ok {
		return nil
	}
	start := p.tok()
	if p.isSelfParam() {
		p.errorAt(start, fmt.Sprintf("method `%s` takes `self`; r2go methods are associated functions", method), "remove the `self` parameter")
		return nil
	}
	if start.isKeyword("mut") {
		p.next()
	}
	name := p.tok()
	switch {
	case isName(name) || name.kind == tokIdent && name.text == "_":
		switch n := p.peek(1); {
		case n.isPunct(":"):
			p.next()
			p.next()
			ty := p.parseType(0)
			if ty == nil {
				return nil
			}
			return &Param{Pos: name.pos, Name: name.val, Type: ty}
		case n.isPunct("(") || n.isPunct("{") || n.isPunct("::") || n.isPunct("@") || n.isPunct("|") || n.isPunct("."):
			// Foo(x), Foo { x }, a::B, x @ .., x | y, 0..
			p.errorAt(start, "parameter patterns are not supported", "use a plain name")
		default:
			p.errorAt(n, fmt.Sprintf("expected `:` after parameter name `%s`, found %s", name.val, describe(n)), "")
		}
	case isPatternStart(name):
		p.errorAt(start, "parameter patterns are not supported", "use a plain name")
	default:
		p.expectIdent()
	}
	return nil
}

// isSelfParam recognizes self, mut self, &self, &mut self, &'a self,
// &'a mut self and self: Type.
func (p *parser) isSelfParam() bool {
	i := 0
	if p.peek(i).isPunct("&") {
		i++
		if p.peek(i).kind == tokLifetime {
			i++
		}
	}
	if p.peek(i).isKeyword("mut") {
		i++
	}
	return p.peek(i).isKeyword("self")
}

func isPatternStart(t *token) bool {
	switch t.kind {
	case tokNumber, tokString, tokChar:
		return true
	case tokPunct:
		switch t.text {
		case "(", "[", "&", "-", ".", "::", "<":
			return true
		}
	}
	return t.isKeyword("ref") || t.isKeyword("box") || t.isKeyword("true") || t.isKeyword("false")
}

// Aliases.

func (p *parser) parseAlias() *Alias {
	p.next() // type
	name, ok := p.expectIdent()
	if !ok {
		return nil
	}
	if t := p.tok(); t.isPunct("<") {
		p.errorAt(t, "generic type aliases are not supported", "use concrete types")
		return nil
	} else if !t.isPunct("=") {
		p.expected("`=` after type alias name `" + name.val + "`")
		return nil
	}
	p.next()
	ty := p.parseType(0)
	if ty == nil {
		return nil
	}
	switch t := p.tok(); {
	case t.isKeyword("where"):
		p.errorAt(t, "where clauses are not supported", "")
		return nil
	case !t.isPunct(";"):
		p.expected("`;` after type alias `" + name.val + "`")
		return nil
	}
	p.next()
	return &Alias{Pos: name.pos, Name: name.val, Type: ty}
}

// Types.

// parseType parses a type at nesting depth depth (0 for a field's or
// parameter's own type).
func (p *parser) parseType(depth int) *Type {
	t := p.tok()
	if depth >= maxTypeDepth {
		p.errorAt(t, "type nesting is too deep", "")
		return nil
	}
	switch {
	case t.isPunct("&"):
		p.next()
		if p.tok().kind == tokLifetime {
			p.next()
		}
		ty := &Type{Pos: t.pos, Kind: RefType}
		if p.tok().isKeyword("mut") {
			ty.Mut = true
			p.next()
		}
		if ty.Elem = p.parseType(depth + 1); ty.Elem == nil {
			return nil
		}
		return ty
	case t.isPunct("("):
		return p.parseTupleType(depth)
	case t.isPunct("["):
		return p.parseArrayType(depth)
	case t.isKeyword("impl"):
		return p.parseImplType(depth)
	case t.isPunct("::") || isPathSegment(t):
		ty := &Type{Pos: t.pos, Kind: PathType}
		if !p.parsePath(ty, depth) {
			return nil
		}
		return ty
	}
	switch {
	case t.isKeyword("dyn"):
		p.errorAt(t, "trait objects (`dyn`) are not supported", "")
	case t.isKeyword("fn"), t.isKeyword("unsafe"), t.isKeyword("extern"):
		p.errorAt(t, "function pointer types are not supported", "")
	case t.isKeyword("for"):
		p.errorAt(t, "higher-ranked lifetimes (`for<...>`) are not supported", "")
	case t.isPunct("*"):
		p.errorAt(t, "raw pointers are not supported", "use an owned type such as `Vec<u8>`")
	case t.isPunct("<"):
		p.errorAt(t, "qualified paths are not supported", "")
	case t.isPunct("!"):
		p.errorAt(t, "the never type is not supported", "")
	case t.kind == tokIdent && t.text == "_":
		p.errorAt(t, "inferred types (`_`) are not supported", "")
	default:
		p.expected("type")
	}
	return nil
}

// parseTupleType parses (), (A,), (A, B) and the parenthesized type (A).
func (p *parser) parseTupleType(depth int) *Type {
	open := p.next()
	ty := &Type{Pos: open.pos, Kind: TupleType}
	trailingComma := false
	for !p.tok().isPunct(")") {
		el := p.parseType(depth + 1)
		if el == nil {
			return nil
		}
		ty.Elems = append(ty.Elems, el)
		trailingComma = false
		if t := p.tok(); t.isPunct(",") {
			trailingComma = true
			p.next()
		} else if !t.isPunct(")") {
			p.expected("`,` or `)` in tuple type")
			return nil
		}
	}
	p.next()
	if len(ty.Elems) == 1 && !trailingComma {
		return ty.Elems[0]
	}
	return ty
}

// parseArrayType parses [T; N] and [T].
func (p *parser) parseArrayType(depth int) *Type {
	open := p.next()
	elem := p.parseType(depth + 1)
	if elem == nil {
		return nil
	}
	switch t := p.tok(); {
	case t.isPunct("]"):
		p.next()
		return &Type{Pos: open.pos, Kind: SliceType, Elem: elem}
	case t.isPunct(";"):
		p.next()
		if !p.skipUntil(func(t *token) bool { return t.isPunct("]") }) {
			return nil
		}
		closing := p.tok()
		if !closing.isPunct("]") {
			p.expected("`]` to close array type")
			return nil
		}
		n := p.text(t.end, closing.off)
		if n == "" {
			p.errorAt(closing, "expected an array length after `;`", "")
			return nil
		}
		p.next()
		return &Type{Pos: open.pos, Kind: ArrayType, Elem: elem, Len: n}
	default:
		p.expected("`;` or `]` in array type")
		return nil
	}
}

// parseImplType parses impl Path<...> + Bound + ....
func (p *parser) parseImplType(depth int) *Type {
	kw := p.next()
	ty := &Type{Pos: kw.pos, Kind: ImplType}
	if t := p.tok(); !t.isPunct("::") && !isPathSegment(t) {
		p.expected("a trait after `impl`")
		return nil
	}
	if !p.parsePath(ty, depth) {
		return nil
	}
	for p.tok().isPunct("+") {
		p.next()
		b, ok := p.parseBound(depth)
		if !ok {
			return nil
		}
		ty.Bounds = append(ty.Bounds, b)
	}
	return ty
}

// parseBound parses one further bound of an impl type: 'a, Trait<...>,
// ?Trait or use<...>, returning it as written without spaces.
func (p *parser) parseBound(depth int) (string, bool) {
	start, t := p.i, p.tok()
	switch {
	case t.kind == tokLifetime:
		p.next()
	case t.isKeyword("for"):
		p.errorAt(t, "higher-ranked lifetimes (`for<...>`) are not supported", "")
		return "", false
	case t.isKeyword("use") && p.peek(1).isPunct("<"):
		// Precise capturing, use<'a, T>: a list of names, nothing nested.
		p.next()
		p.next()
		for !p.tok().isPunct(">") {
			if n := p.tok(); n.kind != tokLifetime && !isPathSegment(n) {
				p.expected("`,` or `>` in generic arguments")
				return "", false
			}
			p.next()
			if p.tok().isPunct(",") {
				p.next()
			}
		}
		p.next()
	default:
		if t.isPunct("?") {
			p.next()
		}
		if n := p.tok(); !n.isPunct("::") && !isPathSegment(n) {
			p.expected("a trait bound")
			return "", false
		}
		var b Type
		if !p.parsePath(&b, depth) {
			return "", false
		}
	}
	var b strings.Builder
	for _, u := range p.toks[start:p.i] {
		b.WriteString(u.text)
	}
	return b.String(), true
}

// parsePath parses a::b::Name<Args...> into ty. Generic arguments may come
// only after the last segment, with or without a turbofish.
func (p *parser) parsePath(ty *Type, depth int) bool {
	if p.tok().isPunct("::") {
		p.next() // a leading `::` only says "from the crate root"
	}
	var segs []string
	for {
		t := p.tok()
		if !isPathSegment(t) {
			p.expectIdent()
			return false
		}
		segs = append(segs, t.val)
		p.next()
		if p.tok().isPunct("<") || p.tok().isPunct("::") && p.peek(1).isPunct("<") {
			if p.tok().isPunct("::") {
				p.next()
			}
			if !p.parseGenericArgs(ty, depth) {
				return false
			}
			if t := p.tok(); t.isPunct("::") {
				p.errorAt(t, "generic arguments are only supported on the last path segment", "")
				return false
			}
			break
		}
		if !p.tok().isPunct("::") {
			break
		}
		p.next()
	}
	ty.Path = strings.Join(segs, "::")
	ty.Name = segs[len(segs)-1]
	switch t := p.tok(); {
	case t.isPunct("("):
		p.errorAt(t, "parenthesized type arguments (`Fn(...)`) are not supported", "")
		return false
	case t.isPunct("!"):
		p.errorAt(t, "macros in type position are not supported", "")
		return false
	}
	return true
}

// parseGenericArgs parses <T, 'a, Name = T, ...> into ty.Args and ty.Assoc,
// dropping lifetimes.
func (p *parser) parseGenericArgs(ty *Type, depth int) bool {
	p.next() // <
	for !p.tok().isPunct(">") {
		t := p.tok()
		switch {
		case t.kind == tokLifetime:
			p.next()
		case isName(t) && p.peek(1).isPunct("="):
			p.next()
			p.next()
			at := p.parseType(depth + 1)
			if at == nil {
				return false
			}
			ty.Assoc = append(ty.Assoc, &AssocBinding{Pos: t.pos, Name: t.val, Type: at})
		case t.kind == tokNumber || t.kind == tokString || t.kind == tokChar || t.isPunct("{") || t.isPunct("-") ||
			t.isKeyword("true") || t.isKeyword("false"):
			p.errorAt(t, "const generic arguments are not supported", "")
			return false
		default:
			arg := p.parseType(depth + 1)
			if arg == nil {
				return false
			}
			ty.Args = append(ty.Args, arg)
		}
		if t := p.tok(); t.isPunct(",") {
			p.next()
		} else if !t.isPunct(">") {
			p.expected("`,` or `>` in generic arguments")
			return false
		}
	}
	p.next()
	return true
}
