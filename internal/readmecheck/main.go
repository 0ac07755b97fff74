// Command readmecheck checks a program's output against the "What it
// prints" block of a README: line by line, where `<n>` in the README stands
// for a number that varies. examples/run.sh runs it on the scaffold and on
// every example.
//
//	go run ./internal/readmecheck README.md output.txt
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

var block = regexp.MustCompile("(?ms)^## What it prints\n.*?^```text\n(.*?)^```$")

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: readmecheck README OUTPUT")
		os.Exit(2)
	}
	if err := check(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func check(readme, output string) error {
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	out, err := os.ReadFile(output)
	if err != nil {
		return err
	}
	m := block.FindSubmatch(text)
	if m == nil {
		return fmt.Errorf("%s has no '## What it prints' block", readme)
	}
	want := lines(string(m[1]))
	got := lines(string(out))
	var b strings.Builder
	for i := range min(len(want), len(got)) {
		pattern := "^" + strings.ReplaceAll(regexp.QuoteMeta(want[i]), "<n>", `[0-9]+(?:\.[0-9]+)?`) + "$"
		if !regexp.MustCompile(pattern).MatchString(got[i]) {
			fmt.Fprintf(&b, "  line %d: want %q\n          got  %q\n", i+1, want[i], got[i])
		}
	}
	if len(want) != len(got) {
		fmt.Fprintf(&b, "  %d lines, want %d; all of it:\n%s\n", len(got), len(want), strings.Join(got, "\n"))
	}
	if b.Len() > 0 {
		return fmt.Errorf("cargo run printed what %s does not say:\n%s", readme, b.String())
	}
	return nil
}

// lines splits text into lines as Python's splitlines does for \n.
func lines(text string) []string {
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}
