package imap_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// TestUpasfsLost: when the upasfs the server uses (-fs) goes away in
// the middle of a session, the command at hand fails with NO and the
// session ends with BYE [UNAVAILABLE]; the client's next connection
// works once upasfs is back.
func TestUpasfsLost(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	emu := testenv.StartEmulator(t, root, server.Config{})
	addr, cut := testenv.Proxy(t, emu.Addr)
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Addr: addr, Root: root}, Keys: keys, AllowPlain: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go srv.Serve(l, false)

	session := func(script ...string) {
		t.Helper()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		for _, step := range script {
			dir, text, _ := strings.Cut(step, " ")
			switch dir {
			case "C:":
				c.Write([]byte(text + "\r\n"))
			case "S:": // skip untagged lines until one starting with text
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Fatalf("want %q: %v", text, err)
					}
					if strings.HasPrefix(line, text) {
						break
					}
				}
			case "cut":
				cut()
			}
		}
	}
	session(
		"S: * OK",
		"C: a LOGIN glenda s3cret", "S: a OK",
		"C: b SELECT INBOX", "S: b OK",
		"cut",
		"C: c FETCH 1:* (BODY.PEEK[])", "S: c NO",
		"S: * BYE [UNAVAILABLE] mail store unavailable",
	)
	session(
		"S: * OK",
		"C: a LOGIN glenda s3cret", "S: a OK",
		"C: b SELECT INBOX", "S: * 5 EXISTS",
		"C: c LOGOUT", "S: * BYE", "S: c OK",
	)
}
