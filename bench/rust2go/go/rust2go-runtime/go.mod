module github.com/ihciah/rust2go

go 1.24.0

require (
	github.com/edwingeng/deque/v2 v2.1.1
	golang.org/x/sys v0.38.0
)

replace github.com/edwingeng/deque/v2 => ../deque-standin
