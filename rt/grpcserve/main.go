package grpcserve

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
)

// Main is the body of a server command, called from its main after the
// handlers are registered. It listens on the address of the -listen flag
// (defaultAddr without one; see Listen), prints that address as the first
// line of stdout in the form -listen takes (with the port the system chose
// for port 0), and serves until SIGTERM or SIGINT, then stops gracefully:
// calls in flight finish and open server streams end. It exits the process
// with a message when it cannot listen or serve.
func Main(defaultAddr string, opts ...Option) {
	listen := flag.String("listen", defaultAddr, "where to listen: unix:///path/to.sock or host:port")
	flag.Parse()
	lis, err := Listen(*listen)
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
	if err := ServeUntil(ctx, New(opts...), lis); err != nil {
		log.Fatal(err)
	}
}
