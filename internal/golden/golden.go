// Package golden compares generated output with files under testdata,
// refreshed with `go test ./... -update`.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Check compares got with the golden file at path and reports a line diff
// on mismatch. With -update it rewrites a file that differs instead, and
// fails the test naming it with the diff: a refresh is never silent nor
// green, so review the change (`git diff testdata`) and run the tests again
// without -update. test.sh fails when a test run leaves testdata changed.
func Check(t *testing.T, path string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(path)
	if *update {
		if err == nil && string(want) == string(got) {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Errorf("golden: updated %s (-old +new); review it and run again without -update:\n%s", path, cmp.Diff(string(want), string(got)))
		return
	}
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the generated output (-want +got); if the change is intended, run go test with -update:\n%s", path, diff)
	}
}
