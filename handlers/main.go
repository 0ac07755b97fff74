// Command handlers is the Go side of the r2go demo, built by rust/build.rs
// with go build -buildmode=c-archive and linked into the Rust host. The
// handlers live in package demo, which the gRPC server (handlers/server)
// registers too.
//
// A c-archive runs init functions but never main.main, so implementations are
// registered in init.
package main

import "r2go.dev/r2go/handlers/demo"

func init() {
	demo.Register()
}

func main() {}
