package imap

import (
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
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

// TestCompressPartialFlush: a burst ended by zlib's Z_PARTIAL_FLUSH,
// as mbsync sends it, is read as soon as it has arrived, with the
// connection still open (compress/flate would wait for more).
func TestCompressPartialFlush(t *testing.T) {
	// Python's zlib, level 6, raw deflate: "a LOGIN glenda
	// demo-secret\r\n" then Z_PARTIAL_FLUSH.
	burst, _ := hex.DecodeString("4a54f0f177f7f45348cf49cd4b49544849cdcdd72d4e4d2e4a2de1e50208")
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go b.Write(burst)
	cc, err := newCompressConn(a, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	a.SetReadDeadline(time.Now().Add(2 * time.Second))
	want := "a LOGIN glenda demo-secret\r\n"
	var got []byte
	buf := make([]byte, 16<<10)
	for len(got) < len(want) {
		n, err := cc.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
	}
	if string(got) != want {
		t.Errorf("read %q, want %q", got, want)
	}
}
