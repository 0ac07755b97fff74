// Command handlers is the Go side of the template example: build.rs builds
// it as a c-archive and links it into the Rust binary, which runs the init
// functions (never main.main). The handler itself is in package render,
// which the gRPC server (server) registers too.
package main

import "example.com/template/render"

func init() {
	render.Register()
}

func main() {}
