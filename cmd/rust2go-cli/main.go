// Command rust2go-cli generates the Go side of an r2go bridge from user.rs:
//
//	rust2go-cli --src rust/src/user.rs --dst gen/gen.go
//
// and creates a new project that uses r2go:
//
//	rust2go-cli init DIR
//
// Problems in user.rs are reported as path:line:col: message, and the
// destination is only ever replaced whole.
package main

import (
	"os"

	"r2go.dev/r2go/internal/cli"
	"r2go.dev/r2go/internal/scaffold"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		os.Exit(scaffold.Run(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
