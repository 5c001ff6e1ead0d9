//go:build unix

package ninep

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSocketMode: a Unix-domain socket has mode 0600, or the mode asked
// for, whatever the umask (here 0, which would leave it 0777), from its
// first moment under its name; Close removes it, and leaves no private
// directory behind.
func TestSocketMode(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tc := range []struct {
		mode, want fs.FileMode
	}{{0, 0600}, {0660, 0660}, {0600, 0600}} {
		path := filepath.Join(dir, "s")
		var l interface{ Close() error }
		var err error
		if tc.mode == 0 {
			l, err = Listen("unix!" + path)
		} else {
			l, err = ListenMode(path, tc.mode)
		}
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != tc.want {
			t.Errorf("mode %v: socket has mode %v, want %v", tc.mode, fi.Mode(), tc.want)
		}
		c, err := Dial(path)
		if err != nil {
			t.Errorf("dial the socket: %v", err)
		} else {
			c.Close()
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after Close: %v, want the socket gone", err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after Close the directory holds %d entries", len(ents))
		}
	}
	if _, err := ListenMode(filepath.Join(dir, "x"), 01777); err == nil {
		t.Error("ListenMode with the sticky bit succeeded")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"tcp!127.0.0.1!0", true},
		{"tcp!127.0.0.2!0", true},
		{"[::1]:0", true},
		{"tcp!localhost!0", true},
		{"unix!" + filepath.Join(t.TempDir(), "s"), true},
	} {
		l, err := Listen(tc.addr)
		if err != nil {
			t.Logf("Listen(%s): %v (skipped)", tc.addr, err)
			continue
		}
		if got := LoopbackOnly(l); got != tc.want {
			t.Errorf("LoopbackOnly(%s on %v) = %v, want %v", tc.addr, l.Addr(), got, tc.want)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
	// Not listened on: the test stays off every address but loopback.
	for _, ip := range []net.IP{net.IPv4zero, net.IPv6unspecified, net.IPv4(192, 0, 2, 1)} {
		if LoopbackOnly(addrListener{&net.TCPAddr{IP: ip, Port: 564}}) {
			t.Errorf("LoopbackOnly(%v) = true", ip)
		}
	}
}

// addrListener is a net.Listener that only has an address.
type addrListener struct{ addr net.Addr }

func (l addrListener) Accept() (net.Conn, error) { return nil, errors.New("not listening") }
func (l addrListener) Close() error              { return nil }
func (l addrListener) Addr() net.Addr            { return l.addr }
