module example.com/embedded-db

go 1.24

require r2go.dev/r2go v0.0.0

require (
	go.etcd.io/bbolt v1.4.3 // indirect
	golang.org/x/sys v0.29.0 // indirect
)

replace r2go.dev/r2go => ../..
