//go:build !plan9

package ninep

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	t.Setenv("NAMESPACE", "/tmp/ns.test")
	tests := []struct {
		in   string
		want address
		err  string
	}{
		{"tcp!example.org!564", address{"tcp", "example.org:564", false}, ""},
		{"tcp!example.org!9fs", address{"tcp", "example.org:9fs", false}, ""},
		{"tcp!example.org", address{"tcp", "example.org:564", false}, ""},
		{"net!10.0.0.1!17010", address{"tcp", "10.0.0.1:17010", false}, ""},
		{"tcp![::1]!564", address{"tcp", "[::1]:564", false}, ""},
		{"tcp!::1!564", address{"tcp", "[::1]:564", false}, ""},
		{"tcp6![::1]!564", address{"tcp6", "[::1]:564", false}, ""},
		{"tcp!*!564", address{"tcp", ":564", false}, ""},
		{"unix!/tmp/ns.x/upasfs", address{"unix", "/tmp/ns.x/upasfs", false}, ""},
		{"unix!rel/sock", address{"unix", "rel/sock", false}, ""},
		{"localhost:564", address{"tcp", "localhost:564", false}, ""},
		{"[::1]:564", address{"tcp", "[::1]:564", false}, ""},
		{":564", address{"tcp", ":564", false}, ""},
		{"/tmp/sock", address{"unix", "/tmp/sock", false}, ""},
		{"./sock", address{"unix", "./sock", false}, ""},
		{"upasfs", address{"unix", "/tmp/ns.test/upasfs", true}, ""},
		{"", address{}, "empty address"},
		{"unix!", address{}, "no path"},
		{"udp!host!53", address{}, `network "udp" not supported`},
		{"tcp!h!1!2", address{}, "too many fields"},
		{"tcp![!564", address{}, "bad host or port"},
		{"tcp![[::1]]!564", address{}, "bad host or port"},
		{"tcp!h!]", address{}, "bad host or port"},
		{"::1", address{}, "too many colons"},
		{"a\x00b", address{}, "NUL"},
	}
	for _, tt := range tests {
		got, err := parseAddr(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseAddr(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseAddr(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestNamespace(t *testing.T) {
	tests := []struct {
		ns, user, display, want string
	}{
		{"/my/ns", "alice", ":1", "/my/ns"},
		{"", "alice", "", "/tmp/ns.alice.:0"},
		{"", "alice", ":0.0", "/tmp/ns.alice.:0"},
		{"", "alice", ":1.0", "/tmp/ns.alice.:1"},
		{"", "alice", ":1.1", "/tmp/ns.alice.:1.1"},
		{"", "alice", "host:10.0", "/tmp/ns.alice.host:10"},
		{"", "bob", "/tmp/launch/:0", "/tmp/ns.bob._tmp_launch_:0"},
		{"", "bob", "nocolon.0", "/tmp/ns.bob.nocolon.0"},
	}
	for _, tt := range tests {
		t.Setenv("NAMESPACE", tt.ns)
		t.Setenv("USER", tt.user)
		t.Setenv("DISPLAY", tt.display)
		if got := Namespace(); got != tt.want {
			t.Errorf("Namespace(NAMESPACE=%q USER=%q DISPLAY=%q) = %q, want %q",
				tt.ns, tt.user, tt.display, got, tt.want)
		}
	}
	t.Setenv("NAMESPACE", "")
	t.Setenv("USER", "")
	t.Setenv("DISPLAY", "")
	if got := Namespace(); !strings.HasPrefix(got, "/tmp/ns.") || strings.HasPrefix(got, "/tmp/ns..") {
		t.Errorf("Namespace() without $USER = %q, want the login name in it", got)
	}
}

// echoServe answers each line on l with "echo: " + the line, until l closes.
func echoServe(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			line, _ := bufio.NewReader(c).ReadString('\n')
			fmt.Fprintf(c, "echo: %s", line)
		}()
	}
}

// checkDial dials addr and expects the echo server to answer.
func checkDial(t *testing.T, addr string) {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Errorf("Dial(%q): %v", addr, err)
		return
	}
	defer c.Close()
	fmt.Fprintf(c, "%s\n", addr)
	got, err := bufio.NewReader(c).ReadString('\n')
	if want := "echo: " + addr + "\n"; got != want || err != nil {
		t.Errorf("Dial(%q) answer %q, %v; want %q", addr, got, err, want)
	}
}

// listenEcho listens on addr and serves echoes until the test ends.
func listenEcho(t *testing.T, addr string) net.Listener {
	t.Helper()
	l, err := Listen(addr)
	if err != nil {
		t.Fatalf("Listen(%q): %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	go echoServe(l)
	return l
}

func TestDialListenTCP(t *testing.T) {
	l := listenEcho(t, "tcp!127.0.0.1!0")
	port := l.Addr().(*net.TCPAddr).Port
	checkDial(t, fmt.Sprintf("tcp!127.0.0.1!%d", port))
	checkDial(t, fmt.Sprintf("127.0.0.1:%d", port))
	checkDial(t, fmt.Sprintf("net!localhost!%d", port))

	l = listenEcho(t, "127.0.0.1:0")
	checkDial(t, fmt.Sprintf("tcp!127.0.0.1!%d", l.Addr().(*net.TCPAddr).Port))
}

func TestDialListenIPv6(t *testing.T) {
	probe, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	probe.Close()
	l := listenEcho(t, "tcp![::1]!0")
	port := l.Addr().(*net.TCPAddr).Port
	checkDial(t, fmt.Sprintf("tcp![::1]!%d", port))
	checkDial(t, fmt.Sprintf("[::1]:%d", port))
	l = listenEcho(t, "[::1]:0")
	checkDial(t, fmt.Sprintf("tcp!::1!%d", l.Addr().(*net.TCPAddr).Port))
}

func TestDialListenUnix(t *testing.T) {
	dir := t.TempDir()
	listenEcho(t, "unix!"+dir+"/a")
	checkDial(t, "unix!"+dir+"/a")
	checkDial(t, dir+"/a")
	listenEcho(t, dir+"/b")
	checkDial(t, "unix!"+dir+"/b")
}

func TestListenService(t *testing.T) {
	ns := filepath.Join(t.TempDir(), "ns")
	t.Setenv("NAMESPACE", ns)
	listenEcho(t, "svc")
	checkDial(t, "svc")
	checkDial(t, "unix!"+ns+"/svc")
	for path, want := range map[string]os.FileMode{ns: os.ModeDir | 0700, ns + "/svc": os.ModeSocket | 0600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
			t.Errorf("mode of %s = %v, %v; want %v", path, fi.Mode(), err, want)
		}
	}
	if l, err := Listen("svc"); err == nil || !strings.Contains(err.Error(), "address in use") {
		t.Errorf("second Listen(svc) = %v, want address in use", err)
		if l != nil {
			l.Close()
		}
	}
}

func TestListenStaleSocket(t *testing.T) {
	ns := t.TempDir()
	t.Setenv("NAMESPACE", ns)
	stale, err := net.Listen("unix", ns+"/old")
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close() // leaves the socket file, as a crashed server would
	listenEcho(t, "old")
	checkDial(t, "old")

	if err := os.WriteFile(ns+"/file", nil, 0600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen("file"); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen over a plain file = %v, want not a socket", err)
	}
	if _, err := Dial("nosuch"); err == nil {
		t.Error("Dial(nosuch) succeeded")
	}
}

// TestMountService attaches through a posted service name, as
// `upasfs` names plan9port's upas/fs -s.
func TestMountService(t *testing.T) {
	t.Setenv("NAMESPACE", filepath.Join(t.TempDir(), "ns"))
	l, err := Listen("testfs")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(l, newTestServer(t)) }()
	fsys, err := Mount("testfs", testUser, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fsys.ReadFile("hello"); err != nil || string(got) != "hello, world\n" {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
	fsys.Close()
	l.Close()
	if err := <-done; err != nil {
		t.Errorf("Serve after Close = %v, want nil", err)
	}
}
