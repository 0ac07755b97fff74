module r2go.dev/r2go

go 1.24.0

require (
	github.com/bufbuild/protocompile v0.14.1
	github.com/google/go-cmp v0.7.0
	google.golang.org/protobuf v1.36.10
)

require golang.org/x/sync v0.17.0 // indirect
