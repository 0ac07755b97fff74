// Command server runs the example's Go handlers out of process, over gRPC,
// for the Rust binary to reach with `cargo run -- unix:///path/to.sock`:
//
//	go run ./handlers/server -listen unix:///tmp/http-client.sock
//
// Its first line on stdout is the address it listens on. SIGTERM or SIGINT
// stops it gracefully: it waits for the calls in flight.
package main

import (
	"example.com/http-client/handlers/bridge"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	bridge.Register()
	grpcserve.Main("unix:///tmp/http-client.sock")
}
