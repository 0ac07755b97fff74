// Command handlers is the Go side of the embedded-db example: build.rs
// builds it as a c-archive and links it into the Rust binary, which runs the
// init functions (never main.main).
package main

import (
	"example.com/embedded-db/gen"
	"r2go.dev/r2go/rt"
)

// The compiler checks that store has every method of user.rs's Store.
var _ gen.Store = (*store)(nil)

// snippet: register
func init() {
	// At most 4 put handlers run at once; further calls wait in Go, without
	// blocking a Rust thread, and are never dropped.
	gen.RegisterStore(&store{}, rt.MaxConcurrent(4))
}

// end snippet

func main() {}
