module example.com/logtail

go 1.24

require r2go.dev/r2go v0.0.0

replace r2go.dev/r2go => ../..
