package randiface

import (
	"bytes"
	"testing"
)

func TestInterfaceIsDeterministic(t *testing.T) {
	a, b := Interface(42), Interface(42)
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave two different interfaces")
	}
	if bytes.Equal(a, Interface(43)) {
		t.Fatal("two seeds gave the same interface")
	}
}
