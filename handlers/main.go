// Command handlers is the Go side of the r2go demo, built by rust/build.rs
// with go build -buildmode=c-archive and linked into the Rust host.
//
// A c-archive runs init functions but never main.main, so implementations are
// registered in init.
package main

import (
	"r2go.dev/r2go/gen"
	"r2go.dev/r2go/rt"
)

func init() {
	gen.RegisterDemoCall(&demo{})
	gen.RegisterOutcomes(outcomes{})
	gen.RegisterLimited(&limited{}, rt.MaxConcurrent(3))
	gen.RegisterTypesCall(&types{})
	gen.RegisterStreams(streams{}, rt.StreamBuffer(16))
	gen.RegisterHostile(hostile{})
	gen.RegisterUploads(uploads{}, rt.StreamBuffer(16))
	gen.RegisterGoSide(goSide{})
}

func main() {}
