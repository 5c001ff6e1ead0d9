package imap

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// TestCompressRatio: a compressConn stops a stream that inflates past
// its ratio, having inflated little more than the slack, and passes an
// ordinary one through.
func TestCompressRatio(t *testing.T) {
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	chunk := []byte(strings.Repeat("y", 1<<20))
	for range 64 {
		fw.Write(chunk)
	}
	fw.Close()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	cc, err := newCompressConn(a, z.Bytes(), 100)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16<<10)
	var n int64
	for {
		k, err := cc.Read(buf)
		n += int64(k)
		if err != nil {
			if !errors.Is(err, errCompressRatio) {
				t.Fatalf("read: %v after %d octets, want errCompressRatio", err, n)
			}
			break
		}
	}
	if n > compressSlack+int64(len(buf)) {
		t.Errorf("inflated %d octets of a %d-octet bomb before stopping, want at most %d", n, z.Len(), compressSlack+len(buf))
	}

	var text bytes.Buffer
	fw, _ = flate.NewWriter(&text, flate.DefaultCompression)
	msg := strings.Repeat("Subject: an ordinary line of mail\r\n", 1000)
	io.WriteString(fw, msg)
	fw.Close()
	cc, _ = newCompressConn(a, text.Bytes(), 100)
	got, err := io.ReadAll(cc)
	if err != nil || string(got) != msg {
		t.Errorf("ordinary stream: %d octets, %v", len(got), err)
	}
}
