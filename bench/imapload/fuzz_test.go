package main

import (
	"strings"
	"testing"
)

// FuzzResponses feeds arbitrary server output to the response reader:
// it must end (at the input's end or an error) without panicking, and
// never count more bytes than it was given.
func FuzzResponses(f *testing.F) {
	for _, tt := range responseTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &client{r: newReader(strings.NewReader(string(in)))}
		for i := 0; ; i++ {
			if i > len(in) {
				t.Fatalf("%d responses from %d bytes", i, len(in))
			}
			if _, err := c.response(func(*fetched) {}); err != nil {
				break
			}
		}
		if c.r.n > int64(len(in)) {
			t.Fatalf("read %d bytes of %d", c.r.n, len(in))
		}
	})
}
