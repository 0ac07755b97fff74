// Command handlers is the Go side of the from-rust2go example, moved from
// Rust2Go's layout (gen.go and the implementation in one package main) to
// r2go's: the generated package gen, and this package main that registers
// the implementation.
package main

import "example.com/from-rust2go/gen"

// The compiler checks that stock has every method of user.rs's StockCall.
var _ gen.StockCall = (*stock)(nil)

// Rust2Go's Go side assigned its implementation to a generated variable;
// r2go's registers it.
func init() {
	gen.RegisterStockCall(&stock{levels: map[string]uint32{}, prices: gen.StockPrices})
}

func main() {}
