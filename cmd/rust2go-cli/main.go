// Command rust2go-cli generates the Go side of an r2go bridge from user.rs:
//
//	rust2go-cli --src rust/src/user.rs --dst gen/gen.go
//
// Problems in user.rs are reported as path:line:col: message, and the
// destination is only ever replaced whole.
package main

import (
	"os"

	"r2go.dev/r2go/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
