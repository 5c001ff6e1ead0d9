package daemon_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"p9mail/testenv"
)

// The systemd units of docs/systemd, run as systemd would run them by
// systemd-socket-activate: the daemon form (imap4d.service and pop3.service
// on a plain and an implicit-TLS socket, sd_listen_fds(3)) and the form
// with a process per connection (the -inetd@ services). Each unit's own
// ExecStart is run, with the binaries, the mail root and the certificate
// directory moved to the test's and the ports to free loopback ones.

const unitDir = "../../../docs/systemd"

// unit reads the settings of a unit file (the last of each key; ExecStart
// and ListenStream are single in ours).
func unit(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(unitDir, name))
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return kv
}

type site struct {
	bin, root, etc string
	cert           *testenv.Cert
}

func newSite(t *testing.T) *site {
	testenv.NeedProgram(t, "systemd-socket-activate")
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin, "p9mail/cmd/imap4d", "p9mail/cmd/pop3")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := testenv.MailRoot(t, "glenda")
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 1, 3); err != nil {
		t.Fatal(err)
	}
	testenv.WriteFixture(t, root, "glenda", "mbox", mbox.Bytes())
	testenv.WriteKeys(t, root, map[string]string{"glenda": "unit-secret-1"})
	cert := testenv.NewCert(t)
	return &site{bin: bin, root: root, etc: filepath.Dir(cert.CertFile), cert: cert}
}

// command is a unit's ExecStart with the site's paths.
func (s *site) command(t *testing.T, service string) []string {
	exec := unit(t, service)["ExecStart"]
	if exec == "" {
		t.Fatalf("%s: no ExecStart", service)
	}
	r := strings.NewReplacer("/usr/local/bin/", s.bin+"/", "/var/lib/p9mail", s.root,
		"/etc/p9mail", s.etc, "/var/cache/p9mail", "off")
	return strings.Fields(r.Replace(exec))
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// activate runs systemd-socket-activate with args, in its own process
// group, killed at the end of the test.
func activate(t *testing.T, args ...string) {
	cmd := exec.Command("systemd-socket-activate", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("systemd-socket-activate %s:\n%s", strings.Join(args, " "), stderr.String())
		}
	})
}

// dial connects to addr (with TLS if tc is set), retrying while the
// socket is not yet there.
func dial(t *testing.T, addr string, tc *tls.Config) net.Conn {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var c net.Conn
		var err error
		if tc != nil {
			c, err = tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, tc)
		} else {
			c, err = net.DialTimeout("tcp", addr, time.Second)
		}
		if err == nil {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// talk reads up to a line starting with script[0] (nothing if it is
// ""), then sends each odd element and reads the reply up to a line
// starting with the element after it; it returns everything read.
func talk(t *testing.T, c net.Conn, script ...string) string {
	t.Helper()
	r := bufio.NewReader(c)
	var all strings.Builder
	readTo := func(prefix string) {
		for {
			line, err := r.ReadString('\n')
			all.WriteString(line)
			if err != nil {
				t.Fatalf("reading to %q: %v; got %q", prefix, err, all.String())
			}
			if strings.HasPrefix(line, prefix) {
				return
			}
		}
	}
	if script[0] != "" {
		readTo(script[0])
	}
	for i := 1; i+1 < len(script); i += 2 {
		fmt.Fprintf(c, "%s\r\n", script[i])
		readTo(script[i+1])
	}
	return all.String()
}

// starttls reads the greeting of a plain connection, asks for TLS
// (cmd: STARTTLS or STLS, ok: the reply's start) and returns the TLS
// connection, greeted already.
func starttls(t *testing.T, c net.Conn, greeting, cmd, ok string, tc *tls.Config) net.Conn {
	t.Helper()
	// One byte at a time: nothing of the TLS handshake may be read here.
	line := func() string {
		var b []byte
		one := make([]byte, 1)
		for len(b) == 0 || b[len(b)-1] != '\n' {
			if _, err := c.Read(one); err != nil {
				t.Fatalf("%s: %v after %q", cmd, err, b)
			}
			b = append(b, one[0])
		}
		return string(b)
	}
	if l := line(); !strings.HasPrefix(l, greeting) {
		t.Fatalf("greeting %q", l)
	}
	fmt.Fprintf(c, "%s\r\n", cmd)
	if l := line(); !strings.HasPrefix(l, ok) {
		t.Fatalf("%s: %q", cmd, l)
	}
	return tls.Client(c, tc)
}

func imapSession(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	imapLogin(t, c, "* OK")
}

// imapLogin reads up to first (nothing if ""), then logs in and selects INBOX.
func imapLogin(t *testing.T, c net.Conn, first string) {
	t.Helper()
	out := talk(t, c, first, "a LOGIN glenda unit-secret-1", "a OK", "b SELECT INBOX", "b OK", "c LOGOUT", "c OK")
	if !strings.Contains(out, "* 3 EXISTS") {
		t.Errorf("IMAP session: no 3 EXISTS in\n%s", out)
	}
}

func pop3Session(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	pop3Login(t, c, "+OK")
}

// pop3Login reads up to first (nothing if ""), then logs in and asks STAT.
func pop3Login(t *testing.T, c net.Conn, first string) {
	t.Helper()
	out := talk(t, c, first, "USER glenda", "+OK", "PASS unit-secret-1", "+OK", "STAT", "+OK", "QUIT", "+OK")
	if !strings.Contains(out, "+OK 3 ") {
		t.Errorf("POP3 session: no STAT of 3 messages in\n%s", out)
	}
}

// TestSystemdDaemonUnits: imap4d.service and pop3.service take their two
// sockets from systemd; the one named "tls" speaks TLS at once, the other
// offers STARTTLS/STLS.
func TestSystemdDaemonUnits(t *testing.T) {
	s := newSite(t)
	for _, tc := range []struct {
		service, plain, tls, capa string
		session                   func(*testing.T, net.Conn)
	}{
		{"imap4d.service", "imap4d.socket", "imaps.socket", "STARTTLS", imapSession},
		{"pop3.service", "pop3.socket", "pop3s.socket", "STLS", pop3Session},
	} {
		t.Run(tc.service, func(t *testing.T) {
			svc := unit(t, tc.service)
			if got, want := svc["Sockets"], tc.plain+" "+tc.tls; got != want {
				t.Errorf("%s Sockets=%q, want %q", tc.service, got, want)
			}
			plainName, tlsName := unit(t, tc.plain)["FileDescriptorName"], unit(t, tc.tls)["FileDescriptorName"]
			if tlsName != "tls" || plainName == "" || plainName == "tls" {
				t.Fatalf("FileDescriptorName: %q, %q", plainName, tlsName)
			}
			plain, tlsAddr := freePort(t), freePort(t)
			args := []string{"-l", plain, "-l", tlsAddr, "--fdname=" + plainName + ":" + tlsName, "--"}
			activate(t, append(args, s.command(t, tc.service)...)...)
			tc.session(t, dial(t, tlsAddr, s.cert.Client))
			c := dial(t, plain, nil)
			defer c.Close()
			capa := "a CAPABILITY"
			end := "a OK"
			if tc.capa == "STLS" {
				capa, end = "CAPA", "."
			}
			first := "* OK"
			if tc.capa == "STLS" {
				first = "+OK"
			}
			if out := talk(t, c, first, capa, end); !strings.Contains(out, tc.capa) {
				t.Errorf("plain socket: no %s in\n%s", tc.capa, out)
			}
		})
	}
}

// TestSystemdInetdUnits: the -inetd@ services run once per connection,
// the connection on standard input and output.
func TestSystemdInetdUnits(t *testing.T) {
	s := newSite(t)
	imap := func(t *testing.T, c net.Conn) {
		tc := starttls(t, c, "* OK", "s STARTTLS", "s OK", s.cert.Client)
		defer tc.Close()
		tc.SetDeadline(time.Now().Add(30 * time.Second))
		imapLogin(t, tc, "")
	}
	pop3 := func(t *testing.T, c net.Conn) {
		tc := starttls(t, c, "+OK", "STLS", "+OK", s.cert.Client)
		defer tc.Close()
		tc.SetDeadline(time.Now().Add(30 * time.Second))
		pop3Login(t, tc, "")
	}
	for _, tc := range []struct {
		socket, service string
		session         func(*testing.T, net.Conn)
	}{
		{"imap4d-inetd.socket", "imap4d-inetd@.service", imap},
		{"pop3-inetd.socket", "pop3-inetd@.service", pop3},
	} {
		t.Run(tc.service, func(t *testing.T) {
			if unit(t, tc.socket)["Accept"] != "yes" {
				t.Fatalf("%s: not Accept=yes", tc.socket)
			}
			svc := unit(t, tc.service)
			if svc["StandardInput"] != "socket" || svc["StandardOutput"] != "socket" {
				t.Fatalf("%s: standard input and output are not the socket", tc.service)
			}
			addr := freePort(t)
			activate(t, append([]string{"--inetd", "-a", "-l", addr, "--"}, s.command(t, tc.service)...)...)
			// Two connections: two processes, one after the other.
			tc.session(t, dial(t, addr, nil))
			tc.session(t, dial(t, addr, nil))
		})
	}
}
