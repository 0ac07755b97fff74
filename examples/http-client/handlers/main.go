// Command handlers is the Go side of the http-client example: build.rs
// builds it as a c-archive and links it into the Rust binary, which runs the
// init functions (never main.main).
package main

import "example.com/http-client/gen"

// snippet: register-two
// The compiler checks that each type has every method of its trait.
var (
	_ gen.HTTPClient = (*client)(nil)
	_ gen.TestServer = (*server)(nil)
)

func init() {
	gen.RegisterHTTPClient(newClient())
	gen.RegisterTestServer(&server{})
}

// end snippet

func main() {}
