package main

import (
	"context"
	"fmt"
	"sync"

	"example.com/from-rust2go/gen"
)

// stock implements gen.StockCall: the methods of user.rs with exported Go
// names (check_order -> CheckOrder), Go values in and out, and a
// context.Context first in async methods.
type stock struct {
	mu     sync.Mutex
	levels map[string]uint32
	prices prices // Rust's StockPrices, or a stand-in in tests
}

// prices is what stock asks Rust: gen.StockPrices (a gen.StockPricesClient)
// has these methods.
type prices interface {
	PriceOf(sku string) (uint32, error)
	Courier(ctx context.Context, customer string) (string, error)
}

func (s *stock) Restock(item gen.StockItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.levels[item.Sku] += item.Quantity
}

func (s *stock) CheckOrder(order gen.StockOrder) gen.StockReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.check(order)
}

// check needs s.mu held.
func (s *stock) check(order gen.StockOrder) gen.StockReply {
	for _, line := range order.Lines {
		if have := s.levels[line.Sku]; have < line.Quantity {
			return gen.StockReply{Note: fmt.Sprintf("short of %s: %d in stock, %d wanted", line.Sku, have, line.Quantity)}
		}
	}
	return gen.StockReply{Accepted: true, Note: "in stock"}
}

func (s *stock) PlaceOrder(ctx context.Context, order gen.StockOrder) gen.StockReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	reply := s.check(order)
	if !reply.Accepted {
		return reply
	}
	// snippet: g2r-call
	var cents uint32
	for _, line := range order.Lines {
		s.levels[line.Sku] -= line.Quantity
		price, err := s.prices.PriceOf(line.Sku) // a sync call into Rust
		if err != nil {
			return gen.StockReply{Accepted: true, Note: "placed, no price: " + err.Error()}
		}
		cents += price * line.Quantity
	}
	courier, err := s.prices.Courier(ctx, order.Customer) // an async one
	if err != nil {
		return gen.StockReply{Accepted: true, Note: "placed, no courier: " + err.Error()}
	}
	// end snippet
	return gen.StockReply{Accepted: true, Note: fmt.Sprintf("placed for %s: %d cents, %s", order.Customer, cents, courier)}
}

func (s *stock) QuantityOf(ctx context.Context, sku string) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.levels[sku]
}
