package imap_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// TestSessionLog runs real sessions against a server logging JSON and
// checks the records: start and end of each session with its fields,
// the failed login, the session id shared with the -d trace, how each
// session ended, and that no password appears.
func TestSessionLog(t *testing.T) {
	const secret, guess = "open-sesame-42", "wrong-guess-17"
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": secret}))
	if err != nil {
		t.Fatal(err)
	}
	cert := testenv.NewCert(t)
	var logs, trace testenv.LogBuffer
	srv, err := imap.New(imap.Config{
		Source: &mailfs.Source{Root: root}, Keys: keys, TLS: cert.Server,
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

	// A session that logs in after STARTTLS and a failed guess.
	raw, r := dialFrom(t, "127.0.0.7", l.Addr().String())
	if line, err := replyTo(raw, r, "a1", "STARTTLS"); err != nil || !strings.HasPrefix(line, "a1 OK") {
		t.Fatalf("STARTTLS: %q, %v", line, err)
	}
	tc := tls.Client(raw, cert.Client)
	r = bufio.NewReader(tc)
	for i, cmd := range []string{"LOGIN glenda " + guess, "LOGIN glenda " + secret, "SELECT INBOX", "FETCH 1 BODY[]", "LOGOUT"} {
		tag := fmt.Sprintf("b%d", i)
		line, err := replyTo(tc, r, tag, cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if want := map[bool]string{true: " NO", false: " OK"}[i == 0]; !strings.HasPrefix(line, tag+want) {
			t.Fatalf("%s: %q", cmd, line)
		}
	}
	tc.Close()
	end := logs.WaitRecord(t, "imap session end", map[string]any{"peer": "127.0.0.7"})
	id := end["session"]
	start := logs.WaitRecord(t, "imap session start", map[string]any{"session": id})
	if start["peer"] != "127.0.0.7" || start["tls"] != "" {
		t.Errorf("start record %v", start)
	}
	failed := logs.WaitRecord(t, "imap login failed", map[string]any{"session": id})
	if failed["user"] != "glenda" || failed["peer"] != "127.0.0.7" {
		t.Errorf("failed login record %v", failed)
	}
	for k, want := range map[string]any{"user": "glenda", "tls": "TLS 1.3", "commands": 6.0, "end": "logout"} {
		if end[k] != want {
			t.Errorf("end record %s = %v, want %v (%v)", k, end[k], want, end)
		}
	}
	// The fetched message alone is over 100 bytes; TLS adds more.
	if in, out := end["bytes_in"].(float64), end["bytes_out"].(float64); in < 100 || out < 1000 {
		t.Errorf("end record bytes in %v, out %v", in, out)
	}
	if d, ok := end["duration"].(float64); !ok || d <= 0 {
		t.Errorf("end record duration %v", end["duration"])
	}
	if !strings.Contains(trace.String(), fmt.Sprintf("%v \"b4 LOGOUT\\r\\n\"", id)) {
		t.Errorf("trace lacks session %v's LOGOUT:\n%s", id, trace.String())
	}

	// A session that never logs in, and one that hangs up.
	idle, _ := dialFrom(t, "127.0.0.8", l.Addr().String())
	defer idle.Close()
	logs.WaitRecord(t, "imap session end", map[string]any{"peer": "127.0.0.8", "end": "timeout", "user": "", "commands": 0.0})
	gone, _ := dialFrom(t, "127.0.0.9", l.Addr().String())
	gone.Close()
	logs.WaitRecord(t, "imap session end", map[string]any{"peer": "127.0.0.9", "end": "hangup"})

	if all := logs.String(); strings.Contains(all, secret) || strings.Contains(all, guess) {
		t.Errorf("a password is in the log:\n%s", all)
	}
}
