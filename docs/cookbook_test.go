package docs

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every code block of the cookbook is a region of a file that the test
// command compiles and runs (the examples, the scaffold's templates), marked
// there with "snippet: NAME" and "end snippet" comment lines. The line
// before the block names it: <!-- from PATH#NAME -->. TestCookbook fails
// when a block differs from its region; -update copies the regions in.

var update = flag.Bool("update", false, "rewrite docs/cookbook.md's code blocks from their files")

var (
	fromLine = regexp.MustCompile(`^<!-- from ([^#\s]+)#([\w-]+) -->$`)
	fence    = regexp.MustCompile("^```([a-z]*)$")
)

// snippet returns the lines between "snippet: name" and the next "end
// snippet" in the file at path (relative to the repository), without their
// common indentation.
func snippet(path, name string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
	if err != nil {
		return nil, err
	}
	var out []string
	in, found := false, false
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(trimmed, "snippet: "+name) && !in:
			if found {
				return nil, fmt.Errorf("%s has two snippets %q", path, name)
			}
			in, found = true, true
		case in && strings.HasSuffix(trimmed, "end snippet"):
			in = false
		case in:
			out = append(out, line)
		}
	}
	if !found || in {
		return nil, fmt.Errorf("%s has no snippet %q ending in \"end snippet\"", path, name)
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1] // gofmt may put a blank line before the end marker
	}
	return dedent(out), nil
}

func dedent(lines []string) []string {
	prefix, first := "", true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = indent, false
		}
		for !strings.HasPrefix(indent, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimPrefix(l, prefix)
	}
	return out
}

func TestCookbook(t *testing.T) {
	const path = "cookbook.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []string
	blocks := 0
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil || m[1] == "" {
			out = append(out, lines[i])
			if m != nil {
				t.Errorf("%s:%d: a code block without a language", path, i+1)
			}
			continue
		}
		blocks++
		end := i + 1
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			t.Fatalf("%s:%d: the code block does not end", path, i+1)
		}
		from := []string(nil)
		if i > 0 {
			from = fromLine.FindStringSubmatch(lines[i-1])
		}
		out = append(out, lines[i])
		if from == nil {
			t.Errorf("%s:%d: the code block is not preceded by <!-- from PATH#NAME -->", path, i+1)
			out = append(out, lines[i+1:end+1]...)
			i = end
			continue
		}
		want, err := snippet(from[1], from[2])
		if err != nil {
			t.Errorf("%s:%d: %v", path, i, err)
			want = lines[i+1 : end]
		}
		if got := lines[i+1 : end]; !*update && strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:%d: the block differs from %s#%s; run go test ./docs -update\n got:\n%s\nwant:\n%s",
				path, i+1, from[1], from[2], strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		out = append(out, want...)
		out = append(out, "```")
		i = end
	}
	if blocks == 0 {
		t.Errorf("%s has no code blocks", path)
	}
	if *update {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDedent(t *testing.T) {
	got := dedent([]string{"\t\tfoo", "", "\t\t\tbar", "\tbaz"})
	want := []string{"\tfoo", "", "\t\tbar", "baz"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dedent = %q, want %q", got, want)
	}
}
