module r2go.dev/bench/rust2go-peer

go 1.24.0

require (
	github.com/ihciah/rust2go v0.0.0
	github.com/panjf2000/ants/v2 v2.12.1
)

require (
	github.com/edwingeng/deque/v2 v2.1.1 // indirect
	golang.org/x/sync v0.11.0 // indirect
	golang.org/x/sys v0.38.0 // indirect
)

replace (
	github.com/edwingeng/deque/v2 => ./deque-standin
	github.com/ihciah/rust2go => ./rust2go-runtime
)
