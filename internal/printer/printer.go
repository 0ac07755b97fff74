// Package printer accumulates generated source text line by line.
package printer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printer builds generated source.
type Printer struct {
	buf bytes.Buffer
}

// P prints one line made of args, formatted with fmt.Sprint rules (no spaces
// are added between strings).
func (p *Printer) P(args ...any) {
	for _, a := range args {
		fmt.Fprint(&p.buf, a)
	}
	p.buf.WriteByte('\n')
}

// Pf prints one formatted line.
func (p *Printer) Pf(format string, args ...any) {
	fmt.Fprintf(&p.buf, format, args...)
	p.buf.WriteByte('\n')
}

// Comment prints text as // comment lines with the given indent; nothing
// when text is empty. Characters a Go source file may not hold (control
// characters, invalid UTF-8, a byte order mark) become U+FFFD.
func (p *Printer) Comment(indent, text string) {
	if text == "" {
		return
	}
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\uFEFF' {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(text, string(utf8.RuneError)))
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			p.P(indent, "//")
		} else {
			p.P(indent, "// ", line)
		}
	}
}

// Bytes returns what has been printed.
func (p *Printer) Bytes() []byte { return p.buf.Bytes() }

// Listing numbers the lines of src, for reporting generated code that does
// not format or compile.
func Listing(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%5d  %s\n", i+1, line)
	}
	return b.String()
}
