package imap_test

// Interoperability tests with clients that fetch and print or save
// what they fetch, without a store of their own: Python's imaplib and
// curl. The server, the expected messages and the checks are in
// interop_test.go.

import (
	"fmt"
	"os"
	"p9mail/testenv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestInteropImaplib drives Python's imaplib: LOGIN after STARTTLS,
// AUTHENTICATE CRAM-MD5 in the clear, and LOGIN over implicit TLS
// (IMAP4_SSL). One FETCH 1:* of every message's BODY.PEEK[] (BODY[]
// over implicit TLS, which must set \Seen); imaplib hands back each
// literal's bytes untouched, so they must be the wire form exactly.
func TestInteropImaplib(t *testing.T) {
	python := testenv.NeedProgram(t, "python3")
	for _, tc := range []struct {
		mode, item, flags string
	}{
		{"starttls", "BODY.PEEK[]", "--------"},
		{"cram", "BODY.PEEK[]", "--------"},
		{"ssl", "BODY[]", "s-------"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newInteropEnv(t, false, nil)
			addr := e.addr
			if tc.mode == "ssl" {
				addr = e.tlsAddr
			}
			out := e.mkdir("out")
			script := e.writeFile("client.py", imaplibScript)
			conf := e.writeFile("client.conf", fmt.Sprintf("%s\n127.0.0.1\n%s\n%s\n%s\n%s\n%s\n%s\n",
				tc.mode, portOf(addr), ioUser, ioPass, e.cert.CertFile, out, tc.item))
			e.run(python, script, conf)
			e.checkMessages(testenv.ReadNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }),
				func(m storedMsg) []byte { return m.wire })
			uids, err := os.ReadFile(filepath.Join(out, "uids"))
			if err != nil {
				t.Fatal(err)
			}
			if want := seqList(len(e.want)); string(uids) != want {
				t.Errorf("UID SEARCH ALL: got %q, want %q", uids, want)
			}
			e.checkKept()
			e.checkImp(uint32(len(e.want)+1), e.impAll(everyMsg, flagsAll(tc.flags)))
		})
	}
}

// seqList is "1 2 ... n".
func seqList(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// imaplibScript is the Python client. Its configuration file has one
// value a line: mode, host, port, user, secret, CA file, output
// directory, the FETCH item. It writes each message's literal to
// out/<seq> and the UID SEARCH ALL result to out/uids.
const imaplibScript = `import imaplib, os, re, ssl, sys
mode, host, port, user, secret, cafile, out, item = open(sys.argv[1]).read().split("\n")[:8]
ctx = ssl.create_default_context(cafile=cafile)
if mode == "ssl":
    c = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx, timeout=30)
else:
    c = imaplib.IMAP4(host, int(port), timeout=30)
if mode == "starttls":
    c.starttls(ssl_context=ctx)
if mode == "cram":
    typ, _ = c.login_cram_md5(user, secret)
else:
    typ, _ = c.login(user, secret)
assert typ == "OK", typ
typ, data = c.select("INBOX")
assert typ == "OK", (typ, data)
typ, data = c.uid("SEARCH", None, "ALL")
assert typ == "OK", (typ, data)
with open(os.path.join(out, "uids"), "wb") as f:
    f.write(data[0])
typ, data = c.fetch("1:*", "(" + item + ")")
assert typ == "OK", (typ, data)
for d in data:
    if isinstance(d, tuple):
        seq = re.match(rb"(\d+) ", d[0]).group(1).decode()
        with open(os.path.join(out, seq), "wb") as f:
            f.write(d[1])
c.logout()
`

// TestInteropCurl drives curl: LIST, SEARCH, UID FETCH of every
// message (one URL glob, one connection), HEADER.FIELDS (SUBJECT), and
// a FETCH FLAGS through -X; with SASL LOGIN in the clear (with -p), SASL
// PLAIN over imaps:// (implicit TLS), and CRAM-MD5 (curl's choice)
// after STARTTLS (--ssl-reqd). curl writes a literal's bytes as
// received, and untagged responses of a -X command as they came.
func TestInteropCurl(t *testing.T) {
	curl := testenv.NeedProgram(t, "curl")
	for _, tc := range []struct {
		name       string
		allowPlain bool
		scheme     string
		extra      string
	}{
		{"plain", true, "imap", "login-options = \"AUTH=LOGIN\"\n"},
		{"imaps", false, "imaps", "login-options = \"AUTH=PLAIN\"\n"},
		{"starttls", false, "imap", "ssl-reqd\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newInteropEnv(t, tc.allowPlain, nil)
			addr := e.addr
			if tc.scheme == "imaps" {
				addr = e.tlsAddr
			}
			conf := e.writeFile("curlrc", fmt.Sprintf("silent\nshow-error\nuser = \"%s:%s\"\ncacert = \"%s\"\n%s",
				ioUser, ioPass, e.cert.CertFile, tc.extra))
			base := fmt.Sprintf("%s://localhost:%s/", tc.scheme, portOf(addr))
			if got, want := string(e.run(curl, "-K", conf, base)), "* LIST (\\Noinferiors) \"/\" \"INBOX\"\r\n"; got != want {
				t.Errorf("LIST:\n got  %q\n want %q", got, want)
			}
			if got, want := string(e.run(curl, "-K", conf, base+"INBOX?ALL")), "* SEARCH "+seqList(len(e.want))+"\r\n"; got != want {
				t.Errorf("SEARCH ALL:\n got  %q\n want %q", got, want)
			}
			subj := e.run(curl, "-K", conf, base+"INBOX;UID=2;SECTION=HEADER.FIELDS%20(SUBJECT)")
			if want := headerField(e.want[1].wire, "Subject"); string(subj) != string(want) {
				t.Errorf("HEADER.FIELDS (SUBJECT):\n got  %q\n want %q", subj, want)
			}
			glob := fmt.Sprintf("%sINBOX;UID=[1-%d]", base, len(e.want))
			e.run(curl, "-K", conf, glob, "-o", filepath.Join(e.dir, "msg#1"))
			e.checkMessages(testenv.ReadNumbered(t, func(n int) string { return filepath.Join(e.dir, "msg"+strconv.Itoa(n)) }),
				func(m storedMsg) []byte { return m.wire })
			flags := e.run(curl, "-K", conf, "-X", "UID FETCH 1:2 (FLAGS)", base+"INBOX")
			if want := "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n"; string(flags) != want {
				t.Errorf("UID FETCH 1:2 (FLAGS):\n got  %q\n want %q", flags, want)
			}
			e.checkKept()
			e.checkImp(uint32(len(e.want)+1), e.impAll(everyMsg, flagsAll("s-------")))
		})
	}
}
