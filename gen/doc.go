// Package gen is the Go side of the demo bridge, generated from
// rust/src/user.rs into gen.go. Regenerate it after editing user.rs:
//
//	go run ./cmd/rust2go-cli --src rust/src/user.rs --dst gen/gen.go --proto gen/gen.proto
//
// (or go generate ./gen). rust/build.rs fails while gen.go is stale.
package gen

//go:generate go run ../cmd/rust2go-cli --src ../rust/src/user.rs --dst gen.go --proto gen.proto
