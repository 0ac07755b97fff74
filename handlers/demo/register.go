// Package demo holds the Go handlers of the demo interface
// (rust/src/user.rs). Register installs them; the c-archive Rust links
// (package handlers) calls it in init, and the gRPC server
// (handlers/server) calls it before serving, so both transports run the
// same handlers with the same options.
package demo

import (
	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

// Register registers every demo handler with its options. Call it once.
func Register() {
	gen.RegisterDemoCall(&demo{})
	gen.RegisterOutcomes(outcomes{})
	gen.RegisterLimited(&limited{}, rt.MaxConcurrent(3))
	gen.RegisterTypesCall(&types{})
	gen.RegisterStreams(streams{}, rt.StreamBuffer(16))
	gen.RegisterHostile(hostile{})
	gen.RegisterUploads(uploads{}, rt.StreamBuffer(16))
	gen.RegisterGoSide(goSide{})
}
