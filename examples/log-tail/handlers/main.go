// Command handlers is the Go side of the log-tail example: build.rs builds
// it as a c-archive and links it into the Rust binary, which runs the init
// functions (never main.main).
package main

import (
	"example.com/logtail/gen"
	"r2go.dev/r2go/rt"
)

// The compiler checks that logFile has every method of user.rs's Log.
var _ gen.Log = (*logFile)(nil)

func init() {
	// Each stream runs at most 256 lines ahead of its Rust consumer.
	gen.RegisterLog(newLogFile(), rt.StreamBuffer(256))
}

func main() {}
