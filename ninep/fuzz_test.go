//go:build !plan9

package ninep

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"

	"9fans.net/go/plan9"
)

// FuzzParseAddr: any string parses or fails cleanly, and a TCP result is
// a host:port that net accepts.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"tcp!h!564", "tcp![::1]!564", "unix!/p", "h:1", "[::1]:564", "/s", "upasfs", "tcp!*", "net!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAddr(s)
		if err != nil {
			return
		}
		switch a.network {
		case "tcp", "tcp4", "tcp6":
			if _, _, err := net.SplitHostPort(a.addr); err != nil {
				t.Errorf("parseAddr(%q) = %+v: %v", s, a, err)
			}
		case "unix":
			if a.addr == "" {
				t.Errorf("parseAddr(%q): empty path", s)
			}
		default:
			t.Errorf("parseAddr(%q): network %q", s, a.network)
		}
	})
}

// FuzzLocalName: no name that localName accepts climbs out of the root.
func FuzzLocalName(f *testing.F) {
	for _, s := range []string{"", "/", "..", "a/../..", "/../x", "a//b/./c", "L.mbox", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rel, err := localName(s)
		if err != nil {
			return
		}
		if rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") ||
			strings.Contains(rel, "/../") || strings.HasSuffix(rel, "/..") || strings.IndexByte(rel, 0) >= 0 {
			t.Errorf("localName(%q) = %q", s, rel)
		}
	})
}

// fakeConn feeds the fuzzer's bytes to the gate as the server's replies
// and discards what the client writes.
type fakeConn struct{ r io.Reader }

func (c fakeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c fakeConn) Write(p []byte) (int, error) { return len(p), nil }
func (c fakeConn) Close() error                { return nil }

// FuzzGateRead: whatever a server sends, the gate hands the client whole
// messages whose size field matches their length, then a sticky error.
func FuzzGateRead(f *testing.F) {
	rclunk, _ := (&plan9.Fcall{Type: plan9.Rclunk, Tag: 1}).Bytes()
	rread, _ := (&plan9.Fcall{Type: plan9.Rread, Tag: 2, Data: []byte("hello")}).Bytes()
	f.Add(append(rclunk, rread...))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{7, 0, 0, 0, 121, 1})
	f.Add([]byte{255, 255, 255, 255, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := newFidGate(fakeConn{bytes.NewReader(data)})
		// A Tclunk of fid 5 with tag 1: an Rclunk with tag 1 releases it.
		tclunk, _ := (&plan9.Fcall{Type: plan9.Tclunk, Tag: 1, Fid: 5}).Bytes()
		if _, err := g.Write(tclunk); err != nil {
			t.Fatal(err)
		}
		var out []byte
		buf := make([]byte, 100)
		for {
			n, err := g.Read(buf)
			out = append(out, buf[:n]...)
			if err != nil {
				break
			}
		}
		if !bytes.HasPrefix(data, out) {
			t.Fatalf("gate produced bytes the server did not send")
		}
		for len(out) > 0 {
			n := binary.LittleEndian.Uint32(out)
			if n < 7 || int(n) > len(out) {
				t.Fatalf("partial message handed on: size %d of %d", n, len(out))
			}
			out = out[n:]
		}
		// The reader has stopped: a walk to fid 5 must not wait forever.
		if err := g.waitFid(5); err == nil {
			t.Fatal("waitFid succeeded after the reader stopped")
		}
	})
}

// FuzzGateWrite: any bytes the client might write pass through without
// panicking or blocking (no clunk is pending).
func FuzzGateWrite(f *testing.F) {
	twalk, _ := (&plan9.Fcall{Type: plan9.Twalk, Tag: 3, Fid: 1, Newfid: 2, Wname: []string{"a"}}).Bytes()
	tattach, _ := (&plan9.Fcall{Type: plan9.Tattach, Tag: 4, Fid: 1, Afid: plan9.NOFID, Uname: "u"}).Bytes()
	f.Add(twalk)
	f.Add(tattach)
	f.Add([]byte{9, 0, 0, 0, plan9.Twalk, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := newFidGate(fakeConn{strings.NewReader("")})
		if n, err := g.Write(data); err != nil || n != len(data) {
			// A pending-free gate may only fail after its reader stopped.
			if err == nil {
				t.Fatalf("Write = %d of %d", n, len(data))
			}
		}
	})
}
