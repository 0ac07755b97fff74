// Package fetch holds the Go side of the http-client example: the
// implementations of the traits of src/user.rs. It is a package of its own
// so that both ways of running it can register the same handlers: the
// c-archive linked into the Rust binary (handlers/main.go) and the gRPC
// server that runs them out of process (server/).
package fetch

import "example.com/http-client/gen"

// snippet: register-two
// The compiler checks that each type has every method of its trait.
var (
	_ gen.HTTPClient = (*client)(nil)
	_ gen.TestServer = (*server)(nil)
)

// Register registers every handler of the example.
func Register() {
	gen.RegisterHTTPClient(newClient())
	gen.RegisterTestServer(&server{})
}

// end snippet
