// Package gen is the Go side of the bridge, generated from src/user.rs into
// gen.go. Regenerate it after editing src/user.rs with go generate ./gen.
package gen

//go:generate go run r2go.dev/r2go/cmd/rust2go-cli --src ../src/user.rs --dst gen.go
