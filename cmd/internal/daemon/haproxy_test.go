package daemon_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"p9mail/testenv"
	"p9mail/upasfs/demo"
)

// Ports of the test: the servers on 21400-21403, HAProxy's frontends on
// 21490-21493.
const (
	haproxyServerPort   = 21400
	haproxyFrontendPort = 21490
)

// backend is one server process behind HAProxy.
type backend struct {
	prog, proxy string // "imap4d" or "pop3"; "send-proxy-v2" or "send-proxy"
	port, front int
	log         *lockedBuffer
}

// TestHAProxy runs Debian's HAProxy in TCP mode in front of two imap4d
// and two pop3 processes, one of each behind a send-proxy-v2 backend and
// one behind a send-proxy (v1) backend, with the servers trusting
// HAProxy's address only (-proxyfrom 127.0.0.1/32) and bounding each
// client address to one connection (-maxperaddr 1). Clients bind their
// own loopback addresses (127.0.0.2, 127.0.0.3): all their connections
// reach the servers from HAProxy's 127.0.0.1, so a second client being
// served at all, and its login being logged with its address, shows the
// servers see the address the PROXY header names; a second connection
// from 127.0.0.2 is refused by the per-address bound. A direct
// connection from an untrusted address that sends a header is closed.
func TestHAProxy(t *testing.T) {
	haproxy := testenv.NeedProgram(t, "haproxy")
	bin := t.TempDir()
	for _, prog := range []string{"imap4d", "pop3"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, prog), "p9mail/cmd/"+prog).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", prog, err, out)
		}
	}
	backends := []*backend{
		{prog: "imap4d", proxy: "send-proxy-v2"},
		{prog: "imap4d", proxy: "send-proxy"},
		{prog: "pop3", proxy: "send-proxy-v2"},
		{prog: "pop3", proxy: "send-proxy"},
	}
	cfg := "global\n\tmaxconn 100\ndefaults\n\tmode tcp\n\ttimeout connect 5s\n\ttimeout client 1m\n\ttimeout server 1m\n"
	for i, b := range backends {
		b.port, b.front = haproxyServerPort+i, haproxyFrontendPort+i
		b.log = startServer(t, filepath.Join(bin, b.prog), b.port)
		cfg += fmt.Sprintf("frontend f%d\n\tbind 127.0.0.1:%d\n\tdefault_backend b%d\n", i, b.front, i)
		cfg += fmt.Sprintf("backend b%d\n\tserver s%d 127.0.0.1:%d %s\n", i, i, b.port, b.proxy)
	}
	cfgFile := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0600); err != nil {
		t.Fatal(err)
	}
	var hlog lockedBuffer
	start(t, &hlog, haproxy, "-f", cfgFile, "-db")
	for _, b := range backends {
		waitListening(t, b.front, &hlog)
	}

	for _, b := range backends {
		t.Run(b.prog+" "+b.proxy, func(t *testing.T) {
			addr := fmt.Sprintf("127.0.0.1:%d", b.front)
			first := dialFrom(t, "127.0.0.2", addr)
			expectGreeting(t, b, first)
			if line := readLine(t, dialFrom(t, "127.0.0.2", addr)); !strings.Contains(line, "too many connections from your address") {
				t.Errorf("second connection from 127.0.0.2: %q, want the per-address refusal", line)
			}
			other := dialFrom(t, "127.0.0.3", addr)
			expectGreeting(t, b, other)
			login(t, b, other)
			want := "peer=127.0.0.3"
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(b.log.String(), want) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(b.log.String(), want) {
				t.Errorf("server log lacks %s:\n%s", want, b.log.String())
			}
		})
	}

	for _, b := range []*backend{backends[0], backends[2]} {
		t.Run("untrusted header "+b.prog, func(t *testing.T) { untrustedHeader(t, b) })
	}
}

// untrustedHeader sends a PROXY header straight to b from an address
// it does not trust: the connection is closed and logged.
func untrustedHeader(t *testing.T, b *backend) {
	t.Helper()
	c := dialFrom(t, "127.0.0.5", fmt.Sprintf("127.0.0.1:%d", b.port))
	expectGreeting(t, b, c)
	io.WriteString(c, "PROXY TCP4 192.0.2.1 127.0.0.1 1000 143\r\na1 CAPABILITY\r\nCAPA\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, err := io.ReadAll(c) // EOF, or a reset: the server closed with the command unread
	if len(rest) != 0 || err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after an untrusted header: %q, %v; want the connection closed", rest, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.log.String(), "PROXY header from an untrusted source") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(b.log.String(), "PROXY header from an untrusted source") {
		t.Errorf("refusal not logged:\n%s", b.log.String())
	}
	for !endedInError(b.log.String(), "127.0.0.5") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !endedInError(b.log.String(), "127.0.0.5") {
		t.Errorf("no end=error record of 127.0.0.5's session:\n%s", b.log.String())
	}
}

// endedInError reports whether log has the end record, end=error, of a
// session from peer.
func endedInError(log, peer string) bool {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "session end") && strings.Contains(line, "peer="+peer+" ") && strings.HasSuffix(line, "end=error") {
			return true
		}
	}
	return false
}

// startServer runs prog on a demo root at 127.0.0.1:port behind the
// proxy and returns its log.
func startServer(t *testing.T, prog string, port int) *lockedBuffer {
	root, _, err := demo.Root()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var log lockedBuffer
	start(t, &log, prog, "-p", "-v", "-root", root, "-index", "off", "-maxperaddr", "1",
		"-proxyfrom", "127.0.0.1/32", "-l", fmt.Sprintf("127.0.0.1:%d", port))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(log.String(), "listening on") {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", prog, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &log
}

// start runs a program until the test ends, its output into log.
func start(t *testing.T, log *lockedBuffer, name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), log.String())
		}
	})
}

// waitListening waits until HAProxy accepts on port.
func waitListening(t *testing.T, port int, log *lockedBuffer) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not listen on %d: %v\n%s", port, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dialFrom connects to addr from the loopback address src.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var readers sync.Map // net.Conn → *bufio.Reader

func readLine(t *testing.T, c net.Conn) string {
	t.Helper()
	r, _ := readers.LoadOrStore(c, bufio.NewReader(c))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := r.(*bufio.Reader).ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (after %q)", err, line)
	}
	return line
}

func expectGreeting(t *testing.T, b *backend, c net.Conn) {
	t.Helper()
	want := map[string]string{"imap4d": "* OK", "pop3": "+OK"}[b.prog]
	if line := readLine(t, c); !strings.HasPrefix(line, want) {
		t.Fatalf("greeting %q, want %s", line, want)
	}
}

func login(t *testing.T, b *backend, c net.Conn) {
	t.Helper()
	var cmds []string
	if b.prog == "imap4d" {
		cmds = []string{"a1 LOGIN glenda " + demo.Secret}
	} else {
		cmds = []string{"USER glenda", "PASS " + demo.Secret}
	}
	for _, cmd := range cmds {
		io.WriteString(c, cmd+"\r\n")
		line := readLine(t, c)
		for strings.HasPrefix(line, "* ") {
			line = readLine(t, c)
		}
		if !strings.HasPrefix(line, "a1 OK") && !strings.HasPrefix(line, "+OK") {
			t.Fatalf("%s: %q", strings.Fields(cmd)[0], line)
		}
	}
}

// lockedBuffer is a bytes.Buffer that a process writes while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
