package main

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"example.com/logtail/gen"
	"r2go.dev/r2go/rt/rttest"
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

// AppendAll reads a source that rttest feeds from a slice, as Rust would.
func TestAppendAll(t *testing.T) {
	l := newLogFile()
	if err := l.Open(filepath.Join(t.TempDir(), "app.log")); err != nil {
		t.Fatal(err)
	}
	n, err := l.AppendAll(t.Context(), rttest.Source("a", "b"))
	if n != 2 || err != nil {
		t.Fatalf("AppendAll = %d, %v; want 2, nil", n, err)
	}
	full := errors.New("disk full")
	n, err = l.AppendAll(t.Context(), rttest.FailingSource(full, "c"))
	if n != 1 || err != full {
		t.Fatalf("AppendAll = %d, %v; want 1, %v", n, err, full)
	}
	var got []string
	collect := func(line gen.Line) error { got = append(got, line.Text); return nil }
	if err := l.scan("", collect); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("the log holds %q, want %q", got, want)
	}
}

// snippet: go-stream-test
// Follow, as a stream handler, sends to a sink that rttest records, and
// returns once the consumer goes away.
func TestFollowUntilDropped(t *testing.T) {
	l := newLogFile()
	if err := l.Open(filepath.Join(t.TempDir(), "app.log")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AppendAll(t.Context(), rttest.Source("a", "b", "c")); err != nil {
		t.Fatal(err)
	}
	sink := rttest.NewSink[gen.Line](t.Context())
	sink.DropAfter(2)
	err := l.Follow(sink.Ctx(), 1, sink.Out())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Follow returned %v, want context.Canceled", err)
	}
	want := []gen.Line{{Number: 1, Text: "a"}, {Number: 2, Text: "b"}}
	if got := sink.Items(); !reflect.DeepEqual(got, want) {
		t.Errorf("Follow sent %v, want %v", got, want)
	}
}

// end snippet
