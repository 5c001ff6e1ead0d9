package imap_test

// COMPRESS=DEFLATE (RFC 4978) with a real client: Python's imaplib,
// its reads and writes wrapped in zlib raw deflate once the server says
// OK, over STARTTLS and over implicit TLS (deflate inside TLS). It
// FETCHes every message's BODY.PEEK[] through the compressed stream
// (the bytes must be the wire form exactly), APPENDs one, and gets NO
// [COMPRESSIONACTIVE] for a second COMPRESS. imaplib sync-flushes;
// mbsync, which partial-flushes, is TestInteropMbsyncAppend.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"p9mail/testenv"
)

func TestInteropImaplibCompress(t *testing.T) {
	python := testenv.NeedProgram(t, "python3")
	for _, mode := range []string{"starttls", "ssl"} {
		t.Run(mode, func(t *testing.T) {
			e := newInteropEnv(t, false, nil)
			addr := e.addr
			if mode == "ssl" {
				addr = e.tlsAddr
			}
			out := e.mkdir("out")
			script := e.writeFile("client.py", imaplibCompressScript)
			conf := e.writeFile("client.conf", fmt.Sprintf("%s\n127.0.0.1\n%s\n%s\n%s\n%s\n%s\n",
				mode, portOf(addr), ioUser, ioPass, e.cert.CertFile, out))
			e.run(python, script, conf)
			e.checkMessages(testenv.ReadNumbered(t, func(n int) string { return filepath.Join(out, strconv.Itoa(n)) }),
				func(m storedMsg) []byte { return m.wire })
			second, err := os.ReadFile(filepath.Join(out, "second"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(second, []byte("NO [COMPRESSIONACTIVE]")) {
				t.Errorf("second COMPRESS: %q, want NO [COMPRESSIONACTIVE]", second)
			}
			data, err := os.ReadFile(e.mbox)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("\nSubject: sent compressed\n\nthrough zlib\n")) {
				t.Errorf("the message APPENDed through deflate is not in the mbox")
			}
		})
	}
}

// imaplibCompressScript: configuration as imaplibScript's, without the
// FETCH item.
const imaplibCompressScript = `import imaplib, os, re, ssl, sys, zlib
mode, host, port, user, secret, cafile, out = open(sys.argv[1]).read().split("\n")[:7]
imaplib.Commands["COMPRESS"] = ("AUTH", "SELECTED")
ctx = ssl.create_default_context(cafile=cafile)
if mode == "ssl":
    c = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx, timeout=30)
else:
    c = imaplib.IMAP4(host, int(port), timeout=30)
    c.starttls(ssl_context=ctx)
typ, _ = c.login(user, secret)
assert typ == "OK", typ

class Deflate:
    def __init__(self, c):
        self.f, self.sock = c.file, c.sock
        self.d = zlib.decompressobj(-15)
        self.z = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.buf = b""
    def more(self):
        data = self.f.read1(65536)
        if not data:
            raise EOFError("server closed")
        self.buf += self.d.decompress(data)
    def read(self, n):
        while len(self.buf) < n:
            self.more()
        r, self.buf = self.buf[:n], self.buf[n:]
        return r
    def readline(self):
        while b"\n" not in self.buf:
            self.more()
        i = self.buf.index(b"\n") + 1
        r, self.buf = self.buf[:i], self.buf[i:]
        return r
    def send(self, data):
        self.sock.sendall(self.z.compress(data) + self.z.flush(zlib.Z_SYNC_FLUSH))

typ, data = c._simple_command("COMPRESS", "DEFLATE")
assert typ == "OK", (typ, data)
z = Deflate(c)
c.read, c.readline, c.send = z.read, z.readline, z.send
typ, data = c.select("INBOX")
assert typ == "OK", (typ, data)
typ, data = c.fetch("1:*", "(BODY.PEEK[])")
assert typ == "OK", (typ, data)
for d in data:
    if isinstance(d, tuple):
        seq = re.match(rb"(\d+) ", d[0]).group(1).decode()
        with open(os.path.join(out, seq), "wb") as f:
            f.write(d[1])
typ, data = c.append("INBOX", None, None, b"Subject: sent compressed\r\n\r\nthrough zlib\r\n")
assert typ == "OK", (typ, data)
typ, data = c._simple_command("COMPRESS", "DEFLATE")
with open(os.path.join(out, "second"), "wb") as f:
    f.write(typ.encode() + b" " + data[0])
c.logout()
`
