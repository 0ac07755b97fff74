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
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"r2go.dev/r2go/bench/r2go/handlers/bench"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	listen := flag.String("listen", "unix:///tmp/r2go-bench.sock", "where to listen: unix:///path/to.sock or host:port")
	flag.Parse()
	bench.Register()
	lis, err := grpcserve.Listen(*listen)
	if err != nil {
		log.Fatal(err)
	}
	addr := lis.Addr().String()
	if lis.Addr().Network() == "unix" {
		addr = "unix://" + addr
	}
	fmt.Println(addr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := grpcserve.ServeUntil(ctx, grpcserve.New(), lis); err != nil {
		log.Fatal(err)
	}
}
