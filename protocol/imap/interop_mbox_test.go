package imap_test

// Interoperability tests with the clients that deliver what they fetch
// to a local program or mbox: fetchmail (through an MDA), getmail6
// (into an mbox) and mutt (copying every message to an mbox). The
// server, the expected messages and the checks are in interop_test.go.

import (
	"bytes"
	"fmt"
	"os"
	"p9mail/testenv"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestInteropFetchmail drives fetchmail with an MDA that writes each
// message to its own numbered file: keep (in the clear, with -p),
// delete (every message \Deleted, then EXPUNGE) and keep after
// STARTTLS with the certificate checked.
func TestInteropFetchmail(t *testing.T) {
	fetchmail := testenv.NeedProgram(t, "fetchmail")
	for _, tc := range []struct {
		name, keep string
		starttls   bool
	}{
		{"keep", "keep ", false},
		{"delete", "", false},
		{"starttls", "keep ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newInteropEnv(t, !tc.starttls, nil)
			out := e.mkdir("out")
			mda := e.writeFile("mda.sh", fmt.Sprintf("n=$(ls %s | wc -l)\nexec cat > %s/$((n + 1))\n", out, out))
			ssl := "sslproto ''"
			if tc.starttls {
				ssl = fmt.Sprintf("sslproto 'tls1.2+' sslcertck sslcertfile %q sslcommonname localhost", e.cert.CertFile)
			}
			rc := e.writeFile("fetchmailrc", fmt.Sprintf(`set no syslog
poll localhost via 127.0.0.1 with proto IMAP port %s
    user "%s" there with password "%s" is "%s" here
    folder INBOX
    options %sfetchall no rewrite %s
    mda "/bin/sh %s"
`, portOf(e.addr), ioUser, ioPass, testenv.LocalUser(t), tc.keep, ssl, mda))
			e.run(fetchmail, "-f", rc, "--pidfile", filepath.Join(e.dir, "pid"), "-i", filepath.Join(e.dir, "ids"), "-v")
			// fetchmail hands the MDA the message with LF line ends and
			// its own Received field first.
			var got [][]byte
			for _, m := range testenv.ReadNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }) {
				got = append(got, testenv.DropAddedField(t, m, "Received: from 127.0.0.1 ", "(fetchmail-"))
			}
			e.checkMessages(got, func(m storedMsg) []byte { return m.lf() })
			n := uint32(len(e.want))
			if tc.keep == "" {
				e.checkRemaining(func(int) bool { return false })
				e.checkImp(n+1, nil)
			} else {
				// fetchmail marks what it fetched \Seen.
				e.checkKept()
				e.checkImp(n+1, e.impAll(everyMsg, flagsAll("s-------")))
			}
		})
	}
}

// TestInteropGetmail drives getmail6's SimpleIMAPRetriever (LOGIN in
// the clear, with -p) and SimpleIMAPSSLRetriever (implicit TLS) with an
// Mboxrd destination.
func TestInteropGetmail(t *testing.T) {
	getmail := testenv.NeedProgram(t, "getmail")
	for _, tc := range []struct {
		name, retriever string
		tls             bool
	}{
		{"plain", "SimpleIMAPRetriever", false},
		{"ssl", "SimpleIMAPSSLRetriever", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newInteropEnv(t, !tc.tls, nil)
			addr, extra := e.addr, ""
			if tc.tls {
				addr, extra = e.tlsAddr, "ca_certs = "+e.cert.CertFile+"\n"
			}
			mbox, userLine := testenv.GetmailDest(t)
			rc := e.writeFile("getmailrc", fmt.Sprintf(`[retriever]
type = %s
server = localhost
port = %s
username = %s
password = %s
mailboxes = ("INBOX",)
%s
[destination]
type = Mboxrd
path = %s
%s
timeout = 5

[options]
read_all = true
delete = false
delivered_to = false
received = false
`, tc.retriever, portOf(addr), ioUser, ioPass, extra, mbox, userLine))
			data := testenv.RunGetmail(t, e.dir, getmail, filepath.Base(rc), mbox)
			// getmail stores LF line ends in an mbox with its own From
			// lines, a blank line after each message and mboxrd
			// quoting, puts a Return-Path field first (the fixture has
			// none) and an X-getmail-retrieved-from-mailbox field last.
			// It re-generates the message with Python's
			// email package, which refolds long header fields holding
			// encoded words: headers are compared unfolded (RFC 5322
			// §2.2.3), bodies exactly.
			var got [][]byte
			for _, m := range testenv.SplitClientMbox(t, data) {
				m = testenv.DropAddedField(t, m, "Return-Path: <", ">")
				m = dropLastField(t, m, "X-getmail-retrieved-from-mailbox: INBOX\n")
				got = append(got, testenv.UnfoldHeader(testenv.UnquoteMboxrd(m)))
			}
			e.checkMessages(got, func(m storedMsg) []byte { return testenv.UnfoldHeader(m.lf()) })
			e.checkKept()
			// getmail EXAMINEs: UIDs recorded, \Recent kept.
			e.checkImp(uint32(len(e.want)+1), e.impAll(everyMsg, flagsAll("-----r--")))
		})
	}
}

// TestInteropMutt drives mutt under script(1) over STARTTLS (the
// certificate trusted through certificate_file): tag every message of
// INBOX and copy them to a local mbox, then quit.
func TestInteropMutt(t *testing.T) {
	testenv.NeedProgram(t, "mutt")
	script := testenv.NeedProgram(t, "script")
	e := newInteropEnv(t, false, nil)
	out := filepath.Join(e.dir, "out.mbox")
	rc := e.writeFile("muttrc", fmt.Sprintf(`set imap_user="%s"
set imap_pass="%s"
set folder="imap://localhost:%s/"
set spoolfile="+INBOX"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="%s"
set confirmcreate=no
set confirmappend=no
set quit=yes
set move=no
set header_cache=""
set mbox_type=mbox
`, ioUser, ioPass, portOf(e.addr), e.cert.CertFile))
	cmd := fmt.Sprintf(`mutt -n -F %s -e 'push "<tag-pattern>~A<enter><tag-prefix><copy-message>%s<enter><quit>"'`, rc, out)
	if _, err := e.runErr([]string{"TERM=xterm"}, script, "-qec", cmd, "/dev/null"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// mutt stores LF line ends in an mbox with its own From lines, a
	// blank line after each message and mboxo quoting (no body line of
	// the fixture starts "From "), and ends the header with
	// Content-Length and Lines fields of its own.
	var got [][]byte
	for _, m := range testenv.SplitClientMbox(t, data) {
		got = append(got, dropMuttLength(t, m))
	}
	e.checkMessages(got, func(m storedMsg) []byte { return m.lf() })
	e.checkKept()
	// mutt fetched with BODY.PEEK[]: no \Seen; \Recent consumed.
	e.checkImp(uint32(len(e.want)+1), e.impAll(everyMsg, flagsAll("--------")))
}

var muttLength = regexp.MustCompile(`\nContent-Length: ([0-9]+)\nLines: ([0-9]+)\n\n`)

// dropMuttLength removes the Content-Length and Lines fields mutt puts
// last in the header, after checking that they count the body's bytes
// and lines.
func dropMuttLength(t *testing.T, msg []byte) []byte {
	t.Helper()
	loc := muttLength.FindSubmatchIndex(msg)
	if loc == nil || bytes.Contains(msg[:loc[0]], []byte("\n\n")) {
		t.Fatalf("header does not end with mutt's Content-Length and Lines: %q", testenv.Excerpt(msg, 0))
	}
	body := msg[loc[1]:]
	size, _ := strconv.Atoi(string(msg[loc[2]:loc[3]]))
	lines, _ := strconv.Atoi(string(msg[loc[4]:loc[5]]))
	if size != len(body) || lines != bytes.Count(body, []byte("\n")) {
		t.Errorf("mutt wrote Content-Length %d, Lines %d for a body of %d bytes, %d lines",
			size, lines, len(body), bytes.Count(body, []byte("\n")))
	}
	return append(append(bytes.Clone(msg[:loc[0]]), "\n\n"...), body...)
}

// dropLastField removes field, which a client put last in the header
// of msg (LF line ends).
func dropLastField(t *testing.T, msg []byte, field string) []byte {
	t.Helper()
	hdr, body, _ := bytes.Cut(msg, []byte("\n\n"))
	hdr = append(hdr, '\n')
	if !bytes.HasSuffix(hdr, []byte(field)) {
		t.Fatalf("header does not end with the field the client adds (%q): %q", field, testenv.Excerpt(hdr, len(hdr)))
	}
	return append(append(hdr[:len(hdr)-len(field)], '\n'), body...)
}
