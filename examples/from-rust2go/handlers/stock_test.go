package main

import (
	"context"
	"testing"

	"example.com/from-rust2go/gen"
)

// fakePrices stands in for Rust's StockPrices.
type fakePrices struct{}

func (fakePrices) PriceOf(sku string) (uint32, error) { return 10, nil }

func (fakePrices) Courier(ctx context.Context, customer string) (string, error) {
	return "bike for " + customer, nil
}

// The handlers are plain Go: this test runs them without Rust.
func TestPlaceOrder(t *testing.T) {
	s := &stock{levels: map[string]uint32{}, prices: fakePrices{}}
	s.Restock(gen.StockItem{Sku: "pear", Quantity: 2})
	order := gen.StockOrder{Customer: "cy", Lines: []gen.StockItem{{Sku: "pear", Quantity: 2}}}
	ctx := context.Background()
	if got, want := s.PlaceOrder(ctx, order), (gen.StockReply{Accepted: true, Note: "placed for cy: 20 cents, bike for cy"}); got != want {
		t.Errorf("first PlaceOrder = %+v, want %+v", got, want)
	}
	if got, want := s.PlaceOrder(ctx, order), (gen.StockReply{Note: "short of pear: 0 in stock, 2 wanted"}); got != want {
		t.Errorf("second PlaceOrder = %+v, want %+v", got, want)
	}
	if got := s.QuantityOf(ctx, "pear"); got != 0 {
		t.Errorf("QuantityOf(pear) = %d, want 0", got)
	}
}
