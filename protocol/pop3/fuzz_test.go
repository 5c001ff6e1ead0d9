package pop3_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
)

// FuzzSession feeds arbitrary client bytes to a session (pre-
// authenticated, so every TRANSACTION command is reachable, and with
// keys, so the AUTHORIZATION commands are too). The server must not
// panic or hang, must end every reply line with CRLF, and the mailbox
// must afterwards hold a subset of its messages, each intact.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 3\r\nDELE 1\r\nQUIT\r\n",
		"DELE 2\r\nSYNC\r\nRSET\r\nLIST 2\r\nQUIT\r\n",
		"CAPA\r\nAUTH PLAIN\r\n*\r\nUSER x\r\nPASS y\r\nAPOP a b\r\nNOOP\r\n",
		"RETR 99999999999999999999\r\nTOP 1 -5\r\nLIST x\r\n\r\n\x00\xff\r\n",
		"AUTH CRAM-MD5\r\nZ2xlbmRhIDAw\r\nQUIT",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	orig := testenv.Fixture("all")
	f.Fuzz(func(t *testing.T, input []byte, preauth bool) {
		root := testenv.MailRoot(t, "glenda")
		path := testenv.WriteFixture(t, root, "glenda", "mbox", orig)
		cfg := pop3.Config{Source: &mailfs.Source{Root: root}, AllowPlain: true,
			Delay: auth.Delay{Base: time.Microsecond, Max: time.Microsecond, Limit: 3}, MaxLine: 200}
		if preauth {
			cfg.Preauth = "glenda"
		} else {
			keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
			if err != nil {
				t.Fatal(err)
			}
			cfg.Keys = keys
		}
		srv, err := pop3.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c1, c2 := net.Pipe()
		done := make(chan struct{})
		go func() { srv.ServeConn(c1, false); close(done) }()
		var out bytes.Buffer
		read := make(chan struct{})
		go func() { io.Copy(&out, c2); close(read) }()
		c2.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c2.Write(input)
		c2.Write([]byte("\r\nQUIT\r\n"))
		// The input may leave the session waiting (say, for a SASL
		// response that QUIT answered): hanging up must end it.
		select {
		case <-done:
		case <-time.After(200 * time.Millisecond):
			c2.Close()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("session does not end when the client hangs up")
			}
		}
		c2.Close()
		<-read
		for _, line := range bytes.SplitAfter(out.Bytes(), []byte("\n")) {
			if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
				t.Fatalf("reply line without CRLF: %q", line)
			}
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		left := testenv.Raws(after)
		all := map[string]bool{}
		for _, r := range testenv.Raws(orig) {
			all[string(r)] = true
		}
		for _, r := range left {
			if !all[string(r)] {
				t.Fatalf("mailbox corrupted: %q", trunc(r))
			}
		}
		os.RemoveAll(filepath.Join(root, "box"))
	})
}
