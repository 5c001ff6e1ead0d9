package imp

import (
	"fmt"
	"testing"
)

// benchBox is a mailbox of n distinct messages and its .imp: uids 1..n
// with some flags, and 100 uid-0 lines for messages appended since.
func benchBox(n int) ([]byte, []string) {
	digests := make([]string, n+100)
	for i := range digests {
		digests[i] = fmt.Sprintf("%040x", i*2654435761)
	}
	f := &File{UIDValidity: 1606780800, UIDNext: uint32(n + 1)}
	for i := range n {
		f.Lines = append(f.Lines, Line{digests[i], uint32(i + 1), Flags(i % 32)})
	}
	for i := n; i < n+100; i++ {
		f.Lines = append(f.Lines, Line{digests[i], 0, Seen})
	}
	return f.Marshal(), digests
}

func BenchmarkParse100k(b *testing.B) {
	data, _ := benchBox(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal100k(b *testing.B) {
	data, _ := benchBox(100000)
	f, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f.Marshal()
	}
}

// BenchmarkReconcile100k is a first SELECT of a 100,000-message mailbox.
func BenchmarkReconcile100k(b *testing.B) {
	data, digests := benchBox(100000)
	ms := make([]*Msg, len(digests))
	for b.Loop() {
		for i, d := range digests {
			ms[i] = &Msg{Digest: d}
		}
		r, err := Reconcile(Input{Data: data, Exists: true}, ms)
		if err != nil || r.Bad != nil || r.State.UIDNext != 100101 {
			b.Fatalf("%+v, %v", r, err)
		}
	}
}
