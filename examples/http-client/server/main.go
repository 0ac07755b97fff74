// Command server serves the http-client example's handlers over gRPC,
// so the same Rust program can run with its Go side out of process:
//
//	go run ./server -listen unix:///tmp/http-client.sock
//	R2GO_CONNECT=unix:///tmp/http-client.sock cargo run
//
// Its first line on stdout is the address it listens on. SIGTERM or SIGINT
// stops it gracefully: it waits for the calls in flight.
package main

import (
	"example.com/http-client/fetch"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	fetch.Register()
	grpcserve.Main("unix:///tmp/http-client.sock")
}
