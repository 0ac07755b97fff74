// Command server serves the template example's handler over gRPC, so the
// same Rust program can run with its Go side out of process:
//
//	go run ./server -listen unix:///tmp/template.sock
//	R2GO_CONNECT=unix:///tmp/template.sock cargo run
//
// Its first line on stdout is the address it listens on. SIGTERM or SIGINT
// stops it gracefully.
package main

import (
	"example.com/template/render"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	render.Register()
	grpcserve.Main("unix:///tmp/template.sock")
}
