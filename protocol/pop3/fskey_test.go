package pop3_test

import (
	"bytes"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// TestFSAuthKey runs POP3 sessions against an emulator that requires
// the shared key (upasfs -authkey), as pop3 -fs addr -authkey file
// does: with the key a session reads the mail (both attaches, the
// upasfs tree and the "box" mail directory, authenticate); without it,
// or with another key, the emulator refuses the attach and the login
// fails.
func TestFSAuthKey(t *testing.T) {
	key := []byte("a shared key of the gateway and the store")
	data := testenv.Fixture("all")
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", data)
	e := testenv.StartEmulatorKey(t, root, server.Config{}, key)
	keysDir := testenv.WriteKeys(t, t.TempDir(), map[string]string{"glenda": "pw"})
	for _, tc := range []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"right key", key, true},
		{"no key", nil, false},
		{"wrong key", []byte("some other key, not the one"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := auth.OpenKeys(keysDir)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := pop3.New(pop3.Config{
				Source: &mailfs.Source{Addr: e.Addr, Key: tc.key}, Keys: keys, AllowPlain: true,
				Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
			})
			if err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(l, false)
			t.Cleanup(func() { l.Close() })
			if !tc.ok {
				cl := dialRaw(t, l.Addr().String())
				cl.ok("USER glenda")
				if line := cl.line("PASS pw"); !strings.HasPrefix(line, "-ERR") {
					t.Errorf("PASS with %s: %q, want -ERR", tc.name, line)
				}
				return
			}
			cl := dial(t, l.Addr().String(), "glenda", "pw")
			raws := testenv.Raws(data)
			for i, raw := range raws[:3] {
				cl.ok("RETR " + strconv.Itoa(i+1))
				if got, want := cl.multi(), wire(raw); !bytes.Equal(got, want) {
					t.Errorf("RETR %d: got %q, want %q", i+1, trunc(got), trunc(want))
				}
			}
			cl.ok("QUIT")
		})
	}
}

// dialRaw connects and reads the greeting, without logging in.
func dialRaw(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, tp: textproto.NewConn(c)}
	cl.ok("")
	return cl
}

// line sends cmd and returns the reply line, whatever it is.
func (cl *client) line(cmd string) string {
	cl.t.Helper()
	if err := cl.tp.PrintfLine("%s", cmd); err != nil {
		cl.t.Fatal(err)
	}
	line, err := cl.tp.ReadLine()
	if err != nil {
		cl.t.Fatalf("%s: %v", cmd, err)
	}
	return line
}
