// Package gen is the Go side of the benchmark suite's r2go bridge, generated
// from bench/r2go/src/user.rs into gen.go. Regenerate it after editing user.rs:
//
//	go run ./cmd/rust2go-cli --src bench/r2go/src/user.rs --dst bench/r2go/gen/gen.go
package gen

//go:generate go run ../../../cmd/rust2go-cli --src ../src/user.rs --dst gen.go
