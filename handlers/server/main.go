// Command server serves the demo handlers out of process, over gRPC: the
// same handlers the c-archive links into the Rust host, registered by the
// same function.
//
//	go run ./handlers/server -listen unix:///tmp/r2go-demo.sock
//	go run ./handlers/server -listen 127.0.0.1:0
//
// Its first line on stdout is the address it listens on (with the port
// picked for port 0), in the form -listen takes. SIGTERM or SIGINT stops it
// gracefully: it stops accepting calls, ends open streams and waits for the
// calls in flight.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"r2go.dev/r2go/handlers/demo"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	listen := flag.String("listen", "unix:///tmp/r2go-demo.sock", "where to listen: unix:///path/to.sock or host:port")
	flag.Parse()
	demo.Register()
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
