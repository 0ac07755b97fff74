package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protowire"

	"r2go.dev/r2go/rt/grpcserve"
)

// TestServerPrintsItsAddressServesAndStopsOnSIGTERM runs the server as a
// separate process, the way a Rust host would use it.
func TestServerPrintsItsAddressServesAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, listen := range []string{"127.0.0.1:0", "unix://" + filepath.Join(t.TempDir(), "demo.sock")} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "-listen", listen)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("%s: no address: %v", listen, err)
		}
		addr := strings.TrimSpace(line)
		if strings.HasPrefix(listen, "unix://") && addr != listen || !strings.HasPrefix(listen, "unix://") && !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("-listen %s printed %q", listen, addr)
		}
		target := addr
		if !strings.HasPrefix(addr, "unix://") {
			target = "passthrough:///" + addr
		}
		cc, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodecV2(grpcserve.Codec{})))
		if err != nil {
			t.Fatal(err)
		}
		req := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), protowire.EncodeZigZag(40))
		req = protowire.AppendVarint(protowire.AppendTag(req, 2, protowire.VarintType), protowire.EncodeZigZag(2))
		var out []byte
		if err := cc.Invoke(ctx, "/gen.DemoCall/Add", req, &out); err != nil {
			t.Fatalf("%s: Add: %v", addr, err)
		}
		if want := protowire.AppendVarint([]byte{0x08}, protowire.EncodeZigZag(42)); string(out) != string(want) {
			t.Errorf("%s: Add(40, 2) = % x, want % x", addr, out, want)
		}
		cc.Close()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s: the server did not exit cleanly on SIGTERM: %v", addr, err)
		}
		if path, ok := strings.CutPrefix(addr, "unix://"); ok {
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("the socket %s is left behind", path)
			}
		}
	}
}
