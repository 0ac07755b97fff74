package rt_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"r2go.dev/r2go/rt"
	"r2go.dev/r2go/rt/internal/fakerust"
)

// BenchmarkGoAsyncCall measures the Go side of async calls whose handler
// ignores its context and returns a u64, with 1 and 256 calls in flight:
// go test ./rt -run '^$' -bench GoAsyncCall -benchmem.
func BenchmarkGoAsyncCall(b *testing.B) {
	handler := func(_ context.Context, buf []byte) ([]byte, error) {
		v := uint64(7)
		return rt.AppendScalar(buf, &v), nil
	}
	for _, inFlight := range []int{1, 256} {
		b.Run(fmt.Sprint(inFlight), func(b *testing.B) {
			slots := fakerust.NewSlots(b, inFlight)
			b.ReportAllocs()
			b.ResetTimer()
			for round := 1; (round-1)*inFlight < b.N; round++ {
				for _, s := range slots {
					goExport(s.Ptr(), nil, nil, handler)
				}
				for _, s := range slots {
					for s.Calls() < round {
						runtime.Gosched()
					}
				}
			}
		})
	}
}
