package pop3_test

// Interoperability tests with the clients that store mail themselves:
// fetchmail (through an MDA), mpop and getmail6 (into an mbox). The
// server, the expected messages and the checks are in interop_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestInteropFetchmail drives fetchmail with an MDA that writes each
// message to its own numbered file: keep, delete (no "keep": DELE of
// every message, then QUIT) and APOP.
func TestInteropFetchmail(t *testing.T) {
	fetchmail := needProgram(t, "fetchmail")
	for _, tc := range []struct {
		name, proto, keep string
		allowPlain        bool
	}{
		{"keep", "POP3", "keep ", true},
		{"delete", "POP3", "", true},
		{"apop", "APOP", "keep ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newInteropEnv(t, tc.allowPlain)
			out := filepath.Join(e.dir, "out")
			if err := os.Mkdir(out, 0700); err != nil {
				t.Fatal(err)
			}
			mda := e.writeFile("mda.sh", fmt.Sprintf("n=$(ls %s | wc -l)\nexec cat > %s/$((n + 1))\n", out, out))
			rc := e.writeFile("fetchmailrc", fmt.Sprintf(`set no syslog
poll localhost via 127.0.0.1 with proto %s port %s
    user "%s" there with password "%s" is "%s" here
    options %sfetchall no rewrite sslproto ''
    mda "/bin/sh %s"
`, tc.proto, e.port(e.addr), ioUser, ioPass, localUser(t), tc.keep, mda))
			e.run(fetchmail, "-f", rc, "--pidfile", filepath.Join(e.dir, "pid"), "-i", filepath.Join(e.dir, "ids"), "-v")
			// fetchmail hands the MDA the message with LF line ends
			// (dot-stuffing undone) and its own Received field first.
			var got [][]byte
			for _, m := range readNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }) {
				got = append(got, dropAddedField(t, m, "Received: from 127.0.0.1 ", "(fetchmail-"))
			}
			e.checkMessages(got, func(m storedMsg) []byte { return m.lf() })
			if tc.keep == "" {
				e.checkRemaining(func(int) bool { return false })
			} else {
				e.checkKept()
			}
		})
	}
}

// localUser is the name fetchmail delivers to ("is USER here").
func localUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

// TestInteropMpop drives mpop delivering to an mbox: USER/PASS, APOP,
// CRAM-MD5 and PLAIN in the clear, and USER/PASS after STLS. A second
// run without --only-new=off must fetch nothing: mpop has seen every
// UIDL, which must be stable across sessions (RFC 1939 §7).
func TestInteropMpop(t *testing.T) {
	mpop := needProgram(t, "mpop")
	for _, tc := range []struct {
		auth, tls  string
		allowPlain bool
	}{
		{"user", "tls off", true},
		{"apop", "tls off", false},
		{"cram-md5", "tls off", false},
		{"plain", "tls off", true},
		{"user", "tls on\ntls_starttls on", false},
	} {
		name := tc.auth
		if tc.tls != "tls off" {
			name += "-stls"
		}
		t.Run(name, func(t *testing.T) {
			e := newInteropEnv(t, tc.allowPlain)
			mbox := filepath.Join(e.dir, "out.mbox")
			rc := e.writeFile("mpoprc", fmt.Sprintf(`defaults
uidls_file %s
keep on
received_header off
account test
host 127.0.0.1
port %s
user %s
password %s
auth %s
%s
tls_trust_file %s
delivery mbox %s
`, filepath.Join(e.dir, "uidls"), e.port(e.addr), ioUser, ioPass, tc.auth, tc.tls, e.cert.CertFile, mbox))
			e.run(mpop, "-C", rc, "--only-new=off", "test")
			e.run(mpop, "-C", rc, "test")
			data, err := os.ReadFile(mbox)
			if err != nil {
				t.Fatal(err)
			}
			// mpop stores LF line ends (dot-stuffing undone) in an
			// mbox with its own From lines, a blank line after each
			// message and mboxrd quoting; received_header off keeps its
			// Received field out.
			var got [][]byte
			for _, m := range splitClientMbox(t, data) {
				got = append(got, unquoteMboxrd(m))
			}
			e.checkMessages(got, func(m storedMsg) []byte { return m.lf() })
			e.checkKept()
		})
	}
}

// TestInteropGetmail drives getmail6's SimplePOP3Retriever (USER/PASS)
// with an Mboxrd destination.
func TestInteropGetmail(t *testing.T) {
	getmail := needProgram(t, "getmail")
	e := newInteropEnv(t, true)
	mbox, userLine := getmailDest(t)
	rc := e.writeFile("getmailrc", fmt.Sprintf(`[retriever]
type = SimplePOP3Retriever
server = 127.0.0.1
port = %s
username = %s
password = %s
timeout = 5

[destination]
type = Mboxrd
path = %s
%s
[options]
read_all = true
delete = false
delivered_to = false
received = false
`, e.port(e.addr), ioUser, ioPass, mbox, userLine))
	// getmail 6.18 can lose the SIGCHLD of its delivery child (getmail6
	// issues #52, #226) and give up on a message after its timeout:
	// such a run is retried, at most twice, from an empty mbox.
	for try := 1; ; try++ {
		if err := os.Truncate(mbox, 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
		cmd := exec.CommandContext(ctx, getmail, "--getmaildir", e.dir, "--rcfile", filepath.Base(rc))
		cmd.Dir = e.dir
		cmd.Env = append(os.Environ(), "HOME="+e.dir)
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(string(out), "waiting child pid") {
			t.Fatalf("getmail: %v\n%s", err, out)
		}
		t.Logf("getmail lost its delivery child, run %d: retrying", try)
	}
	data, err := os.ReadFile(mbox)
	if err != nil {
		t.Fatal(err)
	}
	// getmail stores LF line ends (dot-stuffing undone) in an mbox with
	// its own From lines, a blank line after each message and mboxrd
	// quoting, and always puts a Return-Path field first (the fixture
	// has none); delivered_to and received = false keep its other fields
	// out. It re-generates the message with Python's email package
	// (policy compat32), which refolds header fields longer than 78
	// characters that hold encoded words: headers are compared unfolded
	// (RFC 5322 §2.2.3), bodies exactly.
	var got [][]byte
	for _, m := range splitClientMbox(t, data) {
		got = append(got, unfoldHeader(unquoteMboxrd(dropAddedField(t, m, "Return-Path: <", ">"))))
	}
	e.checkMessages(got, func(m storedMsg) []byte { return unfoldHeader(m.lf()) })
	e.checkKept()
}

// unfoldHeader unfolds the header fields of msg (LF line ends): a
// newline before a space or tab goes (RFC 5322 §2.2.3).
func unfoldHeader(msg []byte) []byte {
	hdr, body, found := bytes.Cut(msg, []byte("\n\n"))
	hdr = bytes.ReplaceAll(hdr, []byte("\n "), []byte(" "))
	hdr = bytes.ReplaceAll(hdr, []byte("\n\t"), []byte("\t"))
	if !found {
		return hdr
	}
	return append(append(hdr, "\n\n"...), body...)
}

// dropAddedField removes the header field a client put first in msg:
// the field must start with prefix and contain mark; its continuation
// lines go with it.
func dropAddedField(t *testing.T, msg []byte, prefix, mark string) []byte {
	t.Helper()
	end := 0
	for {
		nl := bytes.IndexByte(msg[end:], '\n')
		if nl < 0 {
			end = len(msg)
			break
		}
		end += nl + 1
		if end == len(msg) || msg[end] != ' ' && msg[end] != '\t' {
			break
		}
	}
	if field := msg[:end]; !bytes.HasPrefix(field, []byte(prefix)) || !bytes.Contains(field, []byte(mark)) {
		t.Fatalf("message does not start with the field the client adds (%q...%q): %q", prefix, mark, excerpt(msg, 0))
	}
	return msg[end:]
}

// getmailDest creates getmail's destination mbox, which must exist
// before getmail runs. As root getmail delivers only as another user
// (clients.md: "user = nobody"), so the file is nobody's, in a
// world-searchable directory of its own: t.TempDir's parents are
// private. It returns the path and the [destination] user line.
func getmailDest(t *testing.T) (path, userLine string) {
	if os.Geteuid() != 0 {
		path = filepath.Join(t.TempDir(), "out.mbox")
		if err := os.WriteFile(path, nil, 0600); err != nil {
			t.Fatal(err)
		}
		return path, ""
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	dir, err := os.MkdirTemp("", "p9mail-getmail-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0711); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "out.mbox")
	if err := os.WriteFile(path, nil, 0600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	return path, "user = nobody\n"
}

// splitClientMbox splits an mbox that a client wrote: each message is
// its own From line, the message, and one empty line; From-quoting is
// left to the caller.
func splitClientMbox(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range splitStored(data) {
		if !bytes.HasSuffix(m.unix, []byte("\n\n")) {
			t.Fatalf("client mbox message without its separator: %q", excerpt(m.unix, len(m.unix)))
		}
		_, msg, _ := bytes.Cut(m.unix[:len(m.unix)-1], []byte("\n"))
		out = append(out, msg)
	}
	return out
}

// mboxrdQuoted matches the lines mboxrd writers quote with one more '>'.
var mboxrdQuoted = regexp.MustCompile(`(?m)^>(>*From )`)

// unquoteMboxrd undoes mboxrd From-quoting: one '>' less on every line
// that is '>'s then "From ".
func unquoteMboxrd(b []byte) []byte { return mboxrdQuoted.ReplaceAll(b, []byte("$1")) }
