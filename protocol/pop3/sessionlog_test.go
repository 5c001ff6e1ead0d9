package pop3_test

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
)

// TestSessionLog runs real POP3 sessions against a server logging JSON
// and checks the start, failed-login and end records, the session id in
// the -d trace, how each session ended, and that no password appears.
func TestSessionLog(t *testing.T) {
	const secret, guess = "open-sesame-42", "wrong-guess-17"
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": secret}))
	if err != nil {
		t.Fatal(err)
	}
	var logs, trace testenv.LogBuffer
	srv, err := pop3.New(pop3.Config{
		Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true,
		Log: slog.New(slog.NewJSONHandler(&logs, nil)), Debug: &trace,
		Delay:        auth.Delay{Base: time.Millisecond, Max: time.Millisecond},
		LoginTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go srv.Serve(l, false)
	dial := func(src string) (net.Conn, *bufio.Reader) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		return c, r
	}

	c, r := dial("127.0.0.7")
	for _, cmd := range []string{"USER glenda", "PASS " + guess, "USER glenda", "PASS " + secret, "STAT", "RETR 1", "QUIT"} {
		fmt.Fprintf(c, "%s\r\n", cmd)
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if ok := strings.HasPrefix(line, "+OK"); ok == (cmd == "PASS "+guess) {
			t.Fatalf("%s: %q", cmd, line)
		}
		for cmd == "RETR 1" && line != ".\r\n" {
			if line, err = r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
	}
	end := logs.WaitRecord(t, "pop3 session end", map[string]any{"peer": "127.0.0.7"})
	id := end["session"]
	if start := logs.WaitRecord(t, "pop3 session start", map[string]any{"session": id}); start["peer"] != "127.0.0.7" {
		t.Errorf("start record %v", start)
	}
	logs.WaitRecord(t, "pop3 login failed", map[string]any{"session": id, "user": "glenda", "peer": "127.0.0.7"})
	for k, want := range map[string]any{"user": "glenda", "tls": "", "commands": 7.0, "end": "logout"} {
		if end[k] != want {
			t.Errorf("end record %s = %v, want %v (%v)", k, end[k], want, end)
		}
	}
	if in, out := end["bytes_in"].(float64), end["bytes_out"].(float64); in != float64(len("USER glenda\r\nPASS "+guess+"\r\nUSER glenda\r\nPASS "+secret+"\r\nSTAT\r\nRETR 1\r\nQUIT\r\n")) || out < 500 {
		t.Errorf("end record bytes in %v, out %v", in, out)
	}
	if !strings.Contains(trace.String(), fmt.Sprintf("%v -> +OK POP3 server signing off", id)) {
		t.Errorf("trace lacks session %v's QUIT reply:\n%s", id, trace.String())
	}

	idle, _ := dial("127.0.0.8")
	defer idle.Close()
	logs.WaitRecord(t, "pop3 session end", map[string]any{"peer": "127.0.0.8", "end": "timeout", "user": "", "commands": 0.0})
	gone, _ := dial("127.0.0.9")
	gone.Close()
	logs.WaitRecord(t, "pop3 session end", map[string]any{"peer": "127.0.0.9", "end": "hangup"})

	if all := logs.String(); strings.Contains(all, secret) || strings.Contains(all, guess) {
		t.Errorf("a password is in the log:\n%s", all)
	}
}
