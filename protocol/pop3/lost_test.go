package pop3_test

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// TestUpasfsLost: when the upasfs the server uses (-fs) goes away in
// the middle of a session, the command at hand gets -ERR and the
// server hangs up without deleting anything; the next session works
// once upasfs is back, and QUIT then deletes what it was asked to.
func TestUpasfsLost(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	path := testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	emu := testenv.StartEmulator(t, root, server.Config{})
	addr, cut := testenv.Proxy(t, emu.Addr)
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pop3.New(pop3.Config{Source: &mailfs.Source{Addr: addr, Root: root}, Keys: keys, AllowPlain: true})
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
			case "S:":
				line, err := r.ReadString('\n')
				if err != nil || !strings.HasPrefix(line, text) {
					t.Fatalf("got %q, %v; want %q", line, err, text)
				}
			case "EOF":
				if line, err := r.ReadString('\n'); err != io.EOF {
					t.Fatalf("got %q, %v; want the connection closed", line, err)
				}
			case "cut":
				cut()
			}
		}
	}
	session(
		"S: +OK",
		"C: USER glenda", "S: +OK",
		"C: PASS s3cret", "S: +OK",
		"C: DELE 1", "S: +OK",
		"cut",
		"C: RETR 2", "S: -ERR",
		"EOF",
	)
	session(
		"S: +OK",
		"C: USER glenda", "S: +OK",
		"C: PASS s3cret", "S: +OK",
		"C: STAT", "S: +OK 5 ",
		"C: DELE 1", "S: +OK",
		"C: QUIT", "S: +OK",
	)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(testenv.SplitMbox(data)); n != 4 {
		t.Fatalf("the mbox holds %d messages, want 4", n)
	}
}
