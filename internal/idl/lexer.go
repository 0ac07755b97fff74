package idl

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF      tokenKind = iota
	tokIdent              // identifiers, keywords and `_`
	tokLifetime           // 'a
	tokChar               // 'a', b'a'
	tokString             // "a", r#"a"#, b"a", c"a"
	tokNumber             // 16, 0x10, 1_000u32, 1.5
	tokPunct              // single characters, plus `::`, `->` and `=>`
)

// token is one lexical token. Only `::`, `->` and `=>` are lexed as
// multi-character punctuation: everything else the parser needs (`>>` closing
// two generic lists, `&&` as two references) is then already split.
type token struct {
	kind tokenKind
	text string // as written
	val  string // identifiers: the name without `r#`; literals: the decoded value
	raw  bool   // r#ident
	pos  Pos
	off  int // byte offset of text in the source
	end  int // byte offset just after text

	// lineStart is set on the first token of a line; recovery uses it to
	// tell the start of the next item from a keyword in the middle of a line.
	lineStart bool

	// docs holds the outer doc comments (`///`, `/** */`) that directly
	// precede the token, one entry per comment, already stripped. Keeping
	// them on the following token rather than in the stream means only the
	// places that take documentation have to look at them.
	docs []string
}

func (t *token) isPunct(s string) bool { return t.kind == tokPunct && t.text == s }

// isKeyword reports whether t is the keyword kw; raw identifiers never are.
func (t *token) isKeyword(kw string) bool { return t.kind == tokIdent && !t.raw && t.text == kw }

func (t *token) isOpen() bool {
	return t.kind == tokPunct && (t.text == "(" || t.text == "[" || t.text == "{")
}

func (t *token) isClose() bool {
	return t.kind == tokPunct && (t.text == ")" || t.text == "]" || t.text == "}")
}

// lexError is a lexical problem. The offset lets the parser drop syntax
// errors in the same item, which are usually just consequences of it.
type lexError struct {
	off int
	pos Pos
	msg string
}

type lexer struct {
	src   []byte
	str   string // src as a string, so that token texts can share its memory
	lines []int  // byte offsets of line starts
	off   int
	toks  []token
	errs  []lexError
	docs  []string // doc comments waiting for the next token
}

// lex splits src into tokens, always ending with a tokEOF token. It never
// stops early: a bad character is reported and skipped, an unterminated
// literal or comment runs to the end of the file.
func lex(src []byte) ([]token, []lexError) {
	l := &lexer{src: src, str: string(src), lines: lineStarts(src)}
	l.toks = make([]token, 0, len(src)/4+1) // typical Rust has a token every few bytes
	l.skipBOMAndShebang()
	for {
		l.skipTrivia()
		if l.off >= len(l.src) {
			l.emit(tokEOF, l.off, "", false)
			return l.toks, l.errs
		}
		l.scan()
	}
}

func lineStarts(src []byte) []int {
	lines := []int{0}
	for i, c := range src {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func (l *lexer) pos(off int) Pos {
	// The number of line starts at or before off is the 1-based line.
	line := sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off })
	return Pos{Line: line, Col: off - l.lines[line-1] + 1}
}

// at returns the byte at offset i, or 0 past the end. Callers only compare
// the result with non-zero bytes, so a NUL in the source cannot confuse them.
func (l *lexer) at(i int) byte {
	if i < len(l.src) {
		return l.src[i]
	}
	return 0
}

func (l *lexer) errorf(off int, format string, args ...any) {
	l.errs = append(l.errs, lexError{off: off, pos: l.pos(off), msg: fmt.Sprintf(format, args...)})
}

func (l *lexer) emit(kind tokenKind, start int, val string, raw bool) {
	t := token{
		kind: kind,
		text: l.str[start:l.off],
		val:  val,
		raw:  raw,
		pos:  l.pos(start),
		off:  start,
		end:  l.off,
		docs: l.docs,
	}
	n := len(l.toks)
	t.lineStart = n == 0 || l.pos(l.toks[n-1].end).Line < t.pos.Line
	l.docs = nil
	l.toks = append(l.toks, t)
}

func (l *lexer) skipBOMAndShebang() {
	if bytes.HasPrefix(l.src, []byte("\uFEFF")) {
		l.off = 3
	}
	// rustc ignores a `#!` first line unless it is an inner attribute `#![`.
	if !bytes.HasPrefix(l.src[l.off:], []byte("#!")) {
		return
	}
	rest := bytes.TrimLeft(l.src[l.off+2:], " \t\r\n")
	if len(rest) > 0 && rest[0] == '[' {
		return
	}
	if i := bytes.IndexByte(l.src[l.off:], '\n'); i >= 0 {
		l.off += i
	} else {
		l.off = len(l.src)
	}
}

// skipTrivia skips white space and comments, collecting outer doc comments.
func (l *lexer) skipTrivia() {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			l.off++
		case c == '/' && l.at(l.off+1) == '/':
			l.lineComment()
		case c == '/' && l.at(l.off+1) == '*':
			l.blockComment()
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(l.src[l.off:])
			if !isUnicodeSpace(r) {
				return
			}
			l.off += size
		default:
			return
		}
	}
}

// isUnicodeSpace reports the non-ASCII members of Rust's Pattern_White_Space.
func isUnicodeSpace(r rune) bool {
	switch r {
	case '\u0085', '\u200E', '\u200F', '\u2028', '\u2029':
		return true
	}
	return false
}

func (l *lexer) lineComment() {
	start := l.off
	end := len(l.src)
	if i := bytes.IndexByte(l.src[start:], '\n'); i >= 0 {
		end = start + i
	}
	l.off = end
	text := strings.TrimSuffix(string(l.src[start:end]), "\r")
	// `///` is an outer doc comment, but `////` is a plain comment again;
	// `//!` documents the enclosing module, which r2go has no use for.
	if strings.HasPrefix(text, "///") && !strings.HasPrefix(text, "////") {
		l.docs = append(l.docs, stripOneSpace(text[3:]))
	}
}

func (l *lexer) blockComment() {
	start := l.off
	depth := 0
	i := start
	for i < len(l.src) {
		switch {
		case l.src[i] == '/' && l.at(i+1) == '*':
			depth++
			i += 2
		case l.src[i] == '*' && l.at(i+1) == '/':
			depth--
			i += 2
			if depth == 0 {
				l.off = i
				text := string(l.src[start:i])
				// `/**/` and `/*** ... */` are plain comments.
				if strings.HasPrefix(text, "/**") && len(text) > 4 && text[3] != '*' {
					l.docs = append(l.docs, blockDocText(text[3:len(text)-2]))
				}
				return
			}
		default:
			i++
		}
	}
	l.errorf(start, "unterminated block comment")
	l.off = len(l.src)
}

// stripOneSpace removes the single space that conventionally follows `///`,
// keeping any further indentation, which may be meaningful Markdown.
func stripOneSpace(s string) string { return strings.TrimPrefix(s, " ") }

// blockDocText turns the inside of a `/** ... */` comment into doc text.
// A one-line comment is treated like a `///` line. In a multi-line comment
// the blank first and last lines go, and so does a ` * ` margin when every
// line has one, as in the usual
//
//	/**
//	 * text
//	 */
func blockDocText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if len(lines) == 1 {
		return strings.TrimRightFunc(stripOneSpace(lines[0]), unicode.IsSpace)
	}
	if strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	if n := len(lines); n > 0 && strings.TrimSpace(lines[n-1]) == "" {
		lines = lines[:n-1]
	}
	starred := len(lines) > 0
	for _, ln := range lines {
		if !strings.HasPrefix(strings.TrimLeft(ln, " \t"), "*") {
			starred = false
		}
	}
	for i, ln := range lines {
		if starred {
			ln = strings.TrimLeft(ln, " \t")[1:]
		}
		lines[i] = stripOneSpace(ln)
	}
	return strings.TrimRightFunc(strings.Join(lines, "\n"), unicode.IsSpace)
}

func (l *lexer) scan() {
	start := l.off
	c := l.src[start]
	switch {
	case c == '"':
		l.scanString(start, start+1)
	case c == '\'':
		l.scanCharOrLifetime(start)
	case isDigit(c):
		l.scanNumber(start)
	case c == 'r' || c == 'b' || c == 'c':
		if !l.scanPrefixed(start) {
			l.scanIdent(start)
		}
	case c < utf8.RuneSelf:
		switch {
		case c == '_' || isASCIILetter(c):
			l.scanIdent(start)
		case strings.IndexByte(punctChars, c) >= 0:
			l.scanPunct(start)
		default:
			l.badChars(start)
		}
	default:
		if r, _ := utf8.DecodeRune(l.src[start:]); isIdentStart(r) {
			l.scanIdent(start)
		} else {
			l.badChars(start)
		}
	}
}

const punctChars = ";,.(){}[]@#~?:$=!<>-&|+*/^%"

func (l *lexer) scanPunct(start int) {
	l.off = start + 1
	if start+2 <= len(l.src) {
		switch string(l.src[start : start+2]) {
		case "::", "->", "=>":
			l.off = start + 2
		}
	}
	l.emit(tokPunct, start, l.str[start:l.off], false)
}

// badChars reports a run of characters that cannot start a token once, and
// skips it.
func (l *lexer) badChars(start int) {
	r, size := utf8.DecodeRune(l.src[start:])
	switch {
	case r == utf8.RuneError && size == 1:
		l.errorf(start, "invalid UTF-8 encoding")
	case unicode.IsPrint(r):
		l.errorf(start, "unexpected character `%c`", r)
	default:
		l.errorf(start, "unexpected character %U", r)
	}
	i := start + size
	for i < len(l.src) && l.isBad(i) {
		_, n := utf8.DecodeRune(l.src[i:])
		i += n
	}
	l.off = i
}

func (l *lexer) isBad(i int) bool {
	c := l.src[i]
	if c < utf8.RuneSelf {
		return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
			c == '"' || c == '\'' || c == '_' || isDigit(c) || isASCIILetter(c) ||
			strings.IndexByte(punctChars, c) >= 0)
	}
	r, _ := utf8.DecodeRune(l.src[i:])
	return !isUnicodeSpace(r) && !isIdentStart(r)
}

func isDigit(c byte) bool       { return '0' <= c && c <= '9' }
func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isIdentStart and isIdentContinue approximate Unicode's XID_Start and
// XID_Continue, which Rust identifiers use.
func isIdentStart(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && isASCIILetter(byte(r)) ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.Is(unicode.Nl, r))
}

func isIdentContinue(r rune) bool {
	return isIdentStart(r) || r < utf8.RuneSelf && isDigit(byte(r)) ||
		r >= utf8.RuneSelf && unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc)
}

// identEnd returns the offset just after the identifier characters from i.
func (l *lexer) identEnd(i int) int {
	for i < len(l.src) {
		r, size := utf8.DecodeRune(l.src[i:])
		if !isIdentContinue(r) {
			break
		}
		i += size
	}
	return i
}

func (l *lexer) identStartsAt(i int) bool {
	if i >= len(l.src) {
		return false
	}
	r, _ := utf8.DecodeRune(l.src[i:])
	return isIdentStart(r)
}

func (l *lexer) scanIdent(start int) {
	l.off = l.identEnd(start)
	l.emit(tokIdent, start, l.str[start:l.off], false)
}

// scanPrefixed lexes what starts with `r`, `b` or `c` and is not a plain
// identifier: raw identifiers, raw strings, byte and C strings, byte chars.
func (l *lexer) scanPrefixed(start int) bool {
	i := start
	if c := l.src[start]; c == 'b' || c == 'c' {
		i++
		switch {
		case l.at(i) == '"':
			l.scanString(start, i+1)
			return true
		case c == 'b' && l.at(i) == '\'':
			l.scanChar(start, i)
			return true
		}
	}
	if l.at(i) != 'r' {
		return false
	}
	i++
	j := i
	for l.at(j) == '#' {
		j++
	}
	if l.at(j) == '"' {
		l.scanRawString(start, j-i, j+1)
		return true
	}
	if l.src[start] == 'r' && j == i+1 && l.identStartsAt(j) {
		l.off = l.identEnd(j)
		name := l.str[j:l.off]
		switch name {
		case "crate", "self", "super", "Self", "_":
			l.errorf(start, "`%s` cannot be a raw identifier", name)
		}
		l.emit(tokIdent, start, name, true)
		return true
	}
	return false
}

func (l *lexer) scanRawString(start, hashes, content int) {
	closing := "\"" + strings.Repeat("#", hashes)
	i := bytes.Index(l.src[content:], []byte(closing))
	if i < 0 {
		l.errorf(start, "unterminated string literal")
		l.off = len(l.src)
		l.emit(tokString, start, l.str[content:], false)
		return
	}
	l.off = content + i + len(closing)
	l.emit(tokString, start, l.str[content:content+i], false)
}

func (l *lexer) scanString(start, content int) {
	var b strings.Builder
	i := content
	for i < len(l.src) {
		switch c := l.src[i]; c {
		case '"':
			l.off = i + 1
			l.emit(tokString, start, b.String(), false)
			return
		case '\\':
			i = l.escape(&b, i)
		default:
			b.WriteByte(c)
			i++
		}
	}
	l.errorf(start, "unterminated string literal")
	l.off = len(l.src)
	l.emit(tokString, start, b.String(), false)
}

// escape decodes the escape sequence whose backslash is at i into b and
// returns the offset after it. A sequence cut off by the end of the file is
// left to the caller to report as an unterminated literal.
func (l *lexer) escape(b *strings.Builder, i int) int {
	if i+1 >= len(l.src) {
		return i + 1
	}
	switch e := l.src[i+1]; e {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case '0':
		b.WriteByte(0)
	case '\\', '\'', '"':
		b.WriteByte(e)
	case 'x':
		if !isHexDigit(l.at(i+2)) || !isHexDigit(l.at(i+3)) {
			l.errorf(i, "invalid `\\x` escape")
			return i + 2
		}
		v, _ := strconv.ParseUint(string(l.src[i+2:i+4]), 16, 8)
		b.WriteRune(rune(v))
		return i + 4
	case 'u':
		return l.unicodeEscape(b, i)
	case '\n', '\r':
		// A backslash at the end of a line continues the string on the
		// next line without the line break and the indentation.
		j := i + 1
		for j < len(l.src) && strings.IndexByte(" \t\r\n", l.src[j]) >= 0 {
			j++
		}
		return j
	default:
		r, size := utf8.DecodeRune(l.src[i+1:])
		l.errorf(i, "unknown character escape `\\%c`", r)
		b.WriteRune(r)
		return i + 1 + size
	}
	return i + 2
}

// unicodeEscape decodes `\u{...}` at i: one to six hex digits, underscores
// allowed, naming a Unicode scalar value.
func (l *lexer) unicodeEscape(b *strings.Builder, i int) int {
	if l.at(i+2) != '{' {
		l.errorf(i, "invalid `\\u` escape")
		return i + 2
	}
	j := i + 3
	for isHexDigit(l.at(j)) || l.at(j) == '_' {
		j++
	}
	if l.at(j) != '}' {
		l.errorf(i, "invalid `\\u` escape")
		return j
	}
	digits := strings.ReplaceAll(string(l.src[i+3:j]), "_", "")
	v, err := strconv.ParseUint(digits, 16, 32)
	if err != nil || len(digits) > 6 || v > unicode.MaxRune || 0xD800 <= v && v < 0xE000 {
		l.errorf(i, "invalid `\\u` escape")
		return j + 1
	}
	b.WriteRune(rune(v))
	return j + 1
}

// scanCharOrLifetime tells `'a` from `'a'` by looking past the first
// character: a lifetime is never followed directly by a quote.
func (l *lexer) scanCharOrLifetime(start int) {
	i := start + 1
	if i < len(l.src) && l.src[i] != '\\' {
		r, size := utf8.DecodeRune(l.src[i:])
		if isIdentStart(r) && l.at(i+size) != '\'' {
			l.off = l.identEnd(i)
			l.emit(tokLifetime, start, l.str[start:l.off], false)
			return
		}
	}
	l.scanChar(start, start)
}

// scanChar lexes a character literal whose opening quote is at quote (after
// the `b` of a byte literal starting at start).
func (l *lexer) scanChar(start, quote int) {
	var b strings.Builder
	i := quote + 1
	switch {
	case i >= len(l.src) || l.src[i] == '\n':
		l.errorf(start, "unterminated character literal")
		l.off = i
		l.emit(tokChar, start, "", false)
		return
	case l.src[i] == '\'':
		l.errorf(start, "empty character literal")
		l.off = i + 1
		l.emit(tokChar, start, "", false)
		return
	case l.src[i] == '\\':
		i = l.escape(&b, i)
	default:
		r, size := utf8.DecodeRune(l.src[i:])
		b.WriteRune(r)
		i += size
	}
	if l.at(i) != '\'' {
		l.errorf(start, "unterminated character literal")
		l.off = min(i, len(l.src))
		l.emit(tokChar, start, b.String(), false)
		return
	}
	l.off = i + 1
	l.emit(tokChar, start, b.String(), false)
}

func (l *lexer) scanNumber(start int) {
	i := start
	digits := func() {
		for isDigit(l.at(i)) || l.at(i) == '_' {
			i++
		}
	}
	if l.src[i] == '0' && (l.at(i+1) == 'x' || l.at(i+1) == 'o' || l.at(i+1) == 'b') {
		i += 2
		for isHexDigit(l.at(i)) || l.at(i) == '_' {
			i++
		}
	} else {
		digits()
		// `1.5` is one number, but `1..2` and `1.max(2)` are not.
		if l.at(i) == '.' && isDigit(l.at(i+1)) {
			i++
			digits()
		}
		if e := l.at(i); e == 'e' || e == 'E' {
			switch {
			case isDigit(l.at(i + 1)):
				i++
				digits()
			case (l.at(i+1) == '+' || l.at(i+1) == '-') && isDigit(l.at(i+2)):
				i += 2
				digits()
			}
		}
	}
	l.off = l.identEnd(i) // a suffix such as u32 or f64
	l.emit(tokNumber, start, l.str[start:l.off], false)
}
