package main

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"example.com/embedded-db/gen"
)

// The handlers are plain Go: this test runs them without Rust.
func TestStore(t *testing.T) {
	s := &store{}
	if err := s.Open(filepath.Join(t.TempDir(), "test.db")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	entries := []gen.Entry{{Key: "a/1", Value: []byte("one")}, {Key: "a/2", Value: []byte("two")}, {Key: "b/1", Value: nil}}
	if n, err := s.Put(ctx, "t", entries); n != 3 || err != nil {
		t.Errorf("Put = %d, %v; want 3, nil", n, err)
	}
	if v, err := s.Get("t", "a/2"); string(v) != "two" || err != nil {
		t.Errorf("Get(a/2) = %q, %v; want two, nil", v, err)
	}
	want := gen.DbError{Kind: gen.DbErrorKindNotFound, Message: "no key a/3 in t"}
	if _, err := s.Get("t", "a/3"); !reflect.DeepEqual(err, want) {
		t.Errorf("Get(a/3) error = %#v, want %#v", err, want)
	}
	got, err := s.Scan("t", "a/", 10)
	if !reflect.DeepEqual(got, entries[:2]) || err != nil {
		t.Errorf("Scan(a/) = %+v, %v; want %+v", got, err, entries[:2])
	}

	// snippet: go-test
	// A call Rust has already given up on writes nothing.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cancelled, "t", []gen.Entry{{Key: "c/1"}}); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if _, err := s.Get("t", "c/1"); err == nil {
		t.Error("a cancelled Put wrote its key")
	}
	// end snippet

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("t", "a/1"); !reflect.DeepEqual(err, errClosed) {
		t.Errorf("Get after Close: %#v, want %#v", err, errClosed)
	}
}
