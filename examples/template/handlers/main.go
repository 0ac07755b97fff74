// Command handlers is the Go side of the template example: build.rs builds
// it as a c-archive and links it into the Rust binary, which runs the init
// functions (never main.main).
package main

import "example.com/template/gen"

// The compiler checks that renderer has every method of user.rs's Render.
var _ gen.Render = (*renderer)(nil)

func init() {
	gen.RegisterRender(&renderer{})
}

func main() {}
