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
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"example.com/template/render"
	"r2go.dev/r2go/rt/grpcserve"
)

func main() {
	listen := flag.String("listen", "unix:///tmp/template.sock", "where to listen: unix:///path/to.sock or host:port")
	flag.Parse()
	render.Register()
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
