// Command handlers is the Go side of the http-client example: build.rs
// builds it as a c-archive and links it into the Rust binary, which runs the
// init functions (never main.main).
package main

import "example.com/http-client/fetch"

func init() { fetch.Register() }

func main() {}
