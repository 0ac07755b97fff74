module example.com/logtail

go 1.24.0

require r2go.dev/r2go v0.0.0

require google.golang.org/protobuf v1.36.10 // indirect

replace r2go.dev/r2go => ../..
