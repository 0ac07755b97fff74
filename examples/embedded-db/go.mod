module example.com/embedded-db

go 1.24.0

require (
	go.etcd.io/bbolt v1.4.3
	google.golang.org/protobuf v1.36.10
	r2go.dev/r2go v0.0.0
)

require golang.org/x/sys v0.37.0 // indirect

replace r2go.dev/r2go => ../..
