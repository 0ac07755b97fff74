package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# x\n\n## What it prints\n\n```text\nsum = 3\ntook <n> ns\n```\n"), 0o644)
	for out, wantErr := range map[string]string{
		"sum = 3\ntook 12.5 ns\n": "",
		"sum = 4\ntook 12 ns\n":   `line 1: want "sum = 3"`,
		"sum = 3\ntook ? ns\n":    `line 2: want "took <n> ns"`,
		"sum = 3\n":               "1 lines, want 2",
	} {
		path := filepath.Join(dir, "out.txt")
		os.WriteFile(path, []byte(out), 0o644)
		err := check(readme, path)
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("output %q: error %v, want %q", out, err, wantErr)
		}
	}
}
