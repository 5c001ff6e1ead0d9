package pop3_test

// Interoperability tests with the clients that store mail themselves:
// fetchmail (through an MDA), mpop and getmail6 (into an mbox). The
// server, the expected messages and the checks are in interop_test.go.

import (
	"fmt"
	"os"
	"p9mail/testenv"
	"path/filepath"
	"strconv"
	"testing"
)

// TestInteropFetchmail drives fetchmail with an MDA that writes each
// message to its own numbered file: keep, delete (no "keep": DELE of
// every message, then QUIT) and APOP.
func TestInteropFetchmail(t *testing.T) {
	fetchmail := testenv.NeedProgram(t, "fetchmail")
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
`, tc.proto, e.port(e.addr), ioUser, ioPass, testenv.LocalUser(t), tc.keep, mda))
			e.run(fetchmail, "-f", rc, "--pidfile", filepath.Join(e.dir, "pid"), "-i", filepath.Join(e.dir, "ids"), "-v")
			// fetchmail hands the MDA the message with LF line ends
			// (dot-stuffing undone) and its own Received field first.
			var got [][]byte
			for _, m := range testenv.ReadNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }) {
				got = append(got, testenv.DropAddedField(t, m, "Received: from 127.0.0.1 ", "(fetchmail-"))
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

// TestInteropMpop drives mpop delivering to an mbox: USER/PASS, APOP,
// CRAM-MD5 and PLAIN in the clear, and USER/PASS after STLS. A second
// run without --only-new=off must fetch nothing: mpop has seen every
// UIDL, which must be stable across sessions (RFC 1939 §7).
func TestInteropMpop(t *testing.T) {
	mpop := testenv.NeedProgram(t, "mpop")
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
			for _, m := range testenv.SplitClientMbox(t, data) {
				got = append(got, testenv.UnquoteMboxrd(m))
			}
			e.checkMessages(got, func(m storedMsg) []byte { return m.lf() })
			e.checkKept()
		})
	}
}

// TestInteropGetmail drives getmail6's SimplePOP3Retriever (USER/PASS)
// with an Mboxrd destination.
func TestInteropGetmail(t *testing.T) {
	getmail := testenv.NeedProgram(t, "getmail")
	e := newInteropEnv(t, true)
	mbox, userLine := testenv.GetmailDest(t)
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
	data := testenv.RunGetmail(t, e.dir, getmail, filepath.Base(rc), mbox)
	// getmail stores LF line ends (dot-stuffing undone) in an mbox with
	// its own From lines, a blank line after each message and mboxrd
	// quoting, and always puts a Return-Path field first (the fixture
	// has none); delivered_to and received = false keep its other fields
	// out. It re-generates the message with Python's email package
	// (policy compat32), which refolds header fields longer than 78
	// characters that hold encoded words: headers are compared unfolded
	// (RFC 5322 §2.2.3), bodies exactly.
	var got [][]byte
	for _, m := range testenv.SplitClientMbox(t, data) {
		got = append(got, testenv.UnfoldHeader(testenv.UnquoteMboxrd(testenv.DropAddedField(t, m, "Return-Path: <", ">"))))
	}
	e.checkMessages(got, func(m storedMsg) []byte { return testenv.UnfoldHeader(m.lf()) })
	e.checkKept()
}
