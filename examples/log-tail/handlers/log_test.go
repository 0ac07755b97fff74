package main

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"example.com/logtail/gen"
)

// The handlers are plain Go: this test runs their cores with a function in
// place of the sink, without Rust.
func TestScanAndFollow(t *testing.T) {
	l := newLogFile()
	if err := l.Open(filepath.Join(t.TempDir(), "app.log")); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"start", "error: disk full", "retry", "error: gave up"} {
		if err := l.Append(text); err != nil {
			t.Fatal(err)
		}
	}

	var got []gen.Line
	collect := func(line gen.Line) error { got = append(got, line); return nil }
	if err := l.scan("^error", collect); err != nil {
		t.Fatal(err)
	}
	want := []gen.Line{{Number: 2, Text: "error: disk full"}, {Number: 4, Text: "error: gave up"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scan = %v, want %v", got, want)
	}
	if err := l.scan("(", collect); err == nil || err.Error() != "error parsing regexp: missing closing ): `(`" {
		t.Errorf("scan of a bad pattern: %v", err)
	}

	// follow sends lines 3 and 4, then the appended line 5; cancelling ends it.
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan gen.Line, 8)
	done := make(chan error, 1)
	go func() {
		done <- l.follow(ctx, 3, func(line gen.Line) error { lines <- line; return nil })
	}()
	next := func() gen.Line {
		select {
		case line := <-lines:
			return line
		case <-time.After(10 * time.Second):
			t.Fatal("follow sent no line within 10 s")
			return gen.Line{}
		}
	}
	for _, want := range []gen.Line{{Number: 3, Text: "retry"}, {Number: 4, Text: "error: gave up"}} {
		if line := next(); line != want {
			t.Errorf("follow sent %v, want %v", line, want)
		}
	}
	if err := l.Append("stopping"); err != nil {
		t.Fatal(err)
	}
	if line := next(); line != (gen.Line{Number: 5, Text: "stopping"}) {
		t.Errorf("follow sent %v after an append", line)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("follow returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not return within 10 s of its context's cancellation")
	}
}
