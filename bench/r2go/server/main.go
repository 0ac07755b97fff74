// Command server serves the handlers of the bench interface over gRPC, for
// the r2go-grpc peer of the benchmark suite: the same handlers the r2go
// peer links in, registered by the same function.
//
//	go run ./bench/r2go/server -listen unix:///tmp/r2go-bench.sock
//
// Its first line on stdout is the address it listens on, in the form
// -listen takes. SIGTERM or SIGINT stops it gracefully.
package main

import (
	"r2go.dev/r2go/bench/r2go/handlers/bench"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	bench.Register()
	grpcserve.Main("unix:///tmp/r2go-bench.sock")
}
