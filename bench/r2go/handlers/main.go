// Command handlers is the Go side of the r2go benchmark peer, built by
// bench/r2go/build.rs as a c-archive. It holds the handlers of the bench
// interface (package bench), registered for r2go, and the floor's
// hand-written exports (floor.go), which call the same handler without any
// framework.
package main

import "r2go.dev/r2go/bench/r2go/handlers/bench"

// handler serves both r2go and the floor, so they differ only in the bridge.
var handler = bench.Register()

func main() {}
