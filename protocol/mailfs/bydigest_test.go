package mailfs

import (
	"fmt"
	"testing"
)

// TestByDigestBound: a ByDigest never holds more than Max values, and
// keeps what was put last.
func TestByDigestBound(t *testing.T) {
	c := ByDigest[int]{Max: 100}
	for i := range 1000 {
		c.Put(fmt.Sprintf("%040d", i), i)
		if len(c.m) > c.Max {
			t.Fatalf("%d values kept", len(c.m))
		}
	}
	if v, ok := c.Get(fmt.Sprintf("%040d", 999)); !ok || v != 999 {
		t.Fatalf("last value: %v, %v", v, ok)
	}
	var d ByDigest[int] // the default bound
	for i := range DefaultByDigest + 10 {
		d.Put(fmt.Sprint(i), i)
	}
	if len(d.m) > DefaultByDigest {
		t.Fatalf("%d values kept by default", len(d.m))
	}
}
