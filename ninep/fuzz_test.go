//go:build !plan9

package ninep

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

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

// fakeConn feeds the fuzzer's bytes to the client as the server's
// replies and discards what the client writes.
type fakeConn struct{ r io.Reader }

func (c fakeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c fakeConn) Write(p []byte) (int, error) { return len(p), nil }
func (c fakeConn) Close() error                { return nil }

// FuzzClientReplies: whatever a server answers after its Rversion, the
// client neither panics nor leaves a request waiting: a Tstat (tag 0)
// gets a reply, an error, or the connection's end.
func FuzzClientReplies(f *testing.F) {
	rstat, _ := (&plan9.Fcall{Type: plan9.Rstat, Tag: 0, Stat: make([]byte, 49)}).Bytes()
	rerror, _ := (&plan9.Fcall{Type: plan9.Rerror, Tag: 0, Ename: "no"}).Bytes()
	rread, _ := (&plan9.Fcall{Type: plan9.Rread, Tag: 7, Data: []byte("hello")}).Bytes()
	f.Add(rstat)
	f.Add(rerror)
	f.Add(rread)
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{7, 0, 0, 0, 121, 0, 0})
	f.Add([]byte{255, 255, 255, 255, 1, 2, 3})
	rversion, _ := (&plan9.Fcall{Type: plan9.Rversion, Tag: plan9.NOTAG, Msize: 8192 + plan9.IOHDRSZ, Version: "9P2000"}).Bytes()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dialConn(fakeConn{io.MultiReader(bytes.NewReader(rversion), bytes.NewReader(data))})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := c.stat(0)
			done <- err
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Tstat still waiting after the replies ran out")
		}
		// The connection has failed or still works; either way a
		// later request must not hang.
		go func() {
			_, err := c.read(1, make([]byte, 10), 0)
			done <- err
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a later Tread hangs")
		}
	})
}

// FuzzEntries: appendEntries reads whatever a directory read returns
// without panicking, and where the 9fans decoder takes the entries,
// their names and directory bits.
func FuzzEntries(f *testing.F) {
	var b []byte
	for _, d := range []plan9.Dir{
		{Name: "1", Qid: plan9.Qid{Type: plan9.QTDIR}, Mode: plan9.DMDIR | 0555, Uid: "u", Gid: "u", Muid: "u"},
		{Name: "ctl", Mode: 0666, Uid: "u", Gid: "u", Muid: "u"},
	} {
		e, _ := d.Bytes()
		b = append(b, e...)
	}
	f.Add(b)
	f.Add(b[:10])
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := appendEntries(nil, data)
		dirs, derr := unpackDirs(data)
		if derr != nil {
			return
		}
		if err != nil || len(got) != len(dirs) {
			t.Fatalf("appendEntries = %v, %v; the decoder took %d entries", got, err, len(dirs))
		}
		for i, d := range dirs {
			if got[i] != (Entry{d.Name, d.Qid.Type&plan9.QTDIR != 0}) {
				t.Fatalf("entry %d = %v, want %q dir %v", i, got[i], d.Name, d.Qid.Type&plan9.QTDIR != 0)
			}
		}
	})
}

// FuzzVersion: any answer to Tversion makes a connection or an error.
func FuzzVersion(f *testing.F) {
	rversion, _ := (&plan9.Fcall{Type: plan9.Rversion, Tag: plan9.NOTAG, Msize: 8192 + plan9.IOHDRSZ, Version: "9P2000"}).Bytes()
	f.Add(rversion)
	f.Add([]byte{19, 0, 0, 0, 101, 255, 255, 0, 0, 0, 0, 6, 0, '9', 'P', '2', '0', '0', '0'})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dialConn(fakeConn{bytes.NewReader(data)})
		if err == nil {
			if c.msize < plan9.IOHDRSZ+64 || c.msize > maxMsg {
				t.Fatalf("msize %d accepted", c.msize)
			}
			c.close()
		}
	})
}
