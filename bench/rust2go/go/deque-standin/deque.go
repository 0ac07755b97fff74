// Package deque stands in for the deque module that Rust2Go's mem-ring
// package imports, which the Go module proxy reachable here does not serve.
// mem-ring uses it only to park writes while its ring is full, through the
// five methods below.
package deque

// Deque is a double-ended queue.
type Deque[T any] struct {
	front []T // reversed: the last element is the first of the queue
	back  []T
}

// NewDeque returns an empty deque.
func NewDeque[T any]() *Deque[T] { return &Deque[T]{} }

// IsEmpty reports whether the deque holds nothing.
func (d *Deque[T]) IsEmpty() bool { return len(d.front) == 0 && len(d.back) == 0 }

// PushBack appends v.
func (d *Deque[T]) PushBack(v T) { d.back = append(d.back, v) }

// PushFront prepends v.
func (d *Deque[T]) PushFront(v T) { d.front = append(d.front, v) }

// TryPopFront removes and returns the first element, if any.
func (d *Deque[T]) TryPopFront() (T, bool) {
	var zero T
	if len(d.front) == 0 {
		if len(d.back) == 0 {
			return zero, false
		}
		// Move the back half over, reversed, so that pops are O(1) amortised.
		for i := len(d.back) - 1; i >= 0; i-- {
			d.front = append(d.front, d.back[i])
		}
		clear(d.back)
		d.back = d.back[:0]
	}
	v := d.front[len(d.front)-1]
	d.front[len(d.front)-1] = zero
	d.front = d.front[:len(d.front)-1]
	return v, true
}
