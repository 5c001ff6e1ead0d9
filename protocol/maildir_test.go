//go:build unix

package protocol_test

import (
	"fmt"
	"io/fs"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
	"p9mail/upasfs/server"
)

// mailServers runs IMAP and POP3 for glenda, whose mail directory is
// dir: the host directory (box) or the emulator's box attach.
func mailServers(t *testing.T, root string, attach bool) (imapAddr, pop3Addr string) {
	t.Helper()
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	src := &mailfs.Source{Root: root}
	if attach {
		src = &mailfs.Source{Addr: testenv.StartEmulator(t, root, server.Config{NoOpen: true}).Addr}
	}
	return serveBoth(t, src, keys)
}

// serveBoth runs an IMAP and a POP3 server on src on loopback, clear
// text allowed, and returns their addresses.
func serveBoth(t *testing.T, src *mailfs.Source, keys *auth.Keys) (imapAddr, pop3Addr string) {
	t.Helper()
	listen := func(serve func(net.Listener, bool) error) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go serve(l, false)
		return l.Addr().String()
	}
	isrv, err := imap.New(imap.Config{Source: src, Keys: keys, AllowPlain: true})
	if err != nil {
		t.Fatal(err)
	}
	psrv, err := pop3.New(pop3.Config{Source: src, Keys: keys, AllowPlain: true})
	if err != nil {
		t.Fatal(err)
	}
	return listen(isrv.Serve), listen(psrv.Serve)
}

// converse runs a conversation of "C: line" and "S: prefix" steps
// (the reply line must begin with prefix; "S* prefix" skips lines to
// one that does) on a new connection to addr.
func converse(t *testing.T, addr string, script ...string) {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, step := range script {
		kind, text, _ := strings.Cut(step, " ")
		if kind == "C:" {
			if err := c.PrintfLine("%s", text); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for {
			line, err := c.ReadLine()
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if strings.HasPrefix(line, text) {
				break
			}
			if kind != "S*" {
				t.Fatalf("%s: got %q", step, line)
			}
		}
	}
}

// impDigests returns the digests of the .imp's message lines.
func impDigests(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var ds []string
	for _, l := range lines[2:] {
		d, _, _ := strings.Cut(l, " ")
		ds = append(ds, d)
	}
	return ds
}

// TestImpAfterPOP3Delete: a POP3 session deletes message 2, then an
// IMAP SELECT reconciles the .imp, which must then hold exactly the
// mailbox's messages, message 2's line gone (spec §2.5 "Writing").
func TestImpAfterPOP3Delete(t *testing.T) {
	for _, attach := range []bool{false, true} {
		t.Run(fmt.Sprintf("attach=%v", attach), func(t *testing.T) {
			root := testenv.MailRoot(t, "glenda")
			mbox := testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
			imapAddr, pop3Addr := mailServers(t, root, attach)
			login := []string{"S: * OK", "C: a LOGIN glenda s3cret", "S: a OK"}
			converse(t, imapAddr, append(login, "C: b SELECT INBOX", "S* b OK", "C: c LOGOUT", "S* c OK")...)
			before := impDigests(t, mbox+".imp")
			converse(t, pop3Addr, "S: +OK", "C: USER glenda", "S: +OK", "C: PASS s3cret", "S: +OK",
				"C: DELE 2", "S: +OK", "C: QUIT", "S: +OK")
			converse(t, imapAddr, append(login, "C: b SELECT INBOX", "S* b OK", "C: c LOGOUT", "S* c OK")...)
			after := impDigests(t, mbox+".imp")
			want := append(append([]string(nil), before[:1]...), before[2:]...)
			if strings.Join(after, " ") != strings.Join(want, " ") {
				t.Errorf(".imp after POP3 DELE 2 and SELECT:\n%q\nwant\n%q", after, want)
			}
		})
	}
}

// TestCreatedModes: every file the servers create in a 0700 mail
// directory beside a 0600 mbox has the bits Plan 9 gives it, through
// the host directory and through the emulator's box attach: a .imp its
// mailbox's (spec §2.5, here also a 0640 one), and what belongs to no
// mailbox (imap.subscribed, CREATE's files and directories, an INBOX
// APPEND makes, the lock files) the bits Plan 9 asks for masked by the
// directory's, as create(5) does: 0600 and 0700 here.
func TestCreatedModes(t *testing.T) {
	for _, attach := range []bool{false, true} {
		t.Run(fmt.Sprintf("attach=%v", attach), func(t *testing.T) {
			root := testenv.MailRoot(t, "glenda")
			dir := filepath.Join(root, "box", "glenda")
			testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
			testenv.WriteFixture(t, root, "glenda", "shared", nil)
			for name, mode := range map[string]fs.FileMode{"": 0700, "mbox": 0600, "shared": 0640} {
				if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
					t.Fatal(err)
				}
			}
			imapAddr, pop3Addr := mailServers(t, root, attach)
			msg := "Subject: modes\r\n\r\nbody\r\n"
			converse(t, imapAddr, "S: * OK", "C: a LOGIN glenda s3cret", "S: a OK",
				"C: b SELECT INBOX", "S* b OK",
				"C: c SUBSCRIBE INBOX", "S: c OK",
				"C: d CREATE made", "S: d OK",
				"C: e CREATE folder/", "S: e OK",
				"C: f CREATE deep/box", "S: f OK",
				fmt.Sprintf("C: g APPEND shared {%d+}", len(msg)), "C: "+strings.TrimSuffix(msg, "\r\n"), "C: ", "S: g OK",
				"C: h LOGOUT", "S* h OK")
			converse(t, pop3Addr, "S: +OK", "C: USER glenda", "S: +OK", "C: PASS s3cret", "S: +OK", "C: QUIT", "S: +OK")
			if err := os.Remove(filepath.Join(dir, "mbox")); err != nil {
				t.Fatal(err)
			}
			converse(t, imapAddr, "S: * OK", "C: a LOGIN glenda s3cret", "S: a OK",
				fmt.Sprintf("C: b APPEND INBOX {%d+}", len(msg)), "C: "+strings.TrimSuffix(msg, "\r\n"), "C: ", "S: b OK",
				"C: c LOGOUT", "S* c OK")
			for name, want := range map[string]fs.FileMode{
				"mbox": 0600, "mbox.imp": 0600, "shared.imp": 0640, "L.mbox": 0600, "L.pop3.mbox": 0600,
				"imap.subscribed": 0600, "made": 0600, "folder": 0700, "deep": 0700, "deep/box": 0600,
			} {
				st, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("%v", err)
					continue
				}
				if got := st.Mode().Perm(); got != want {
					t.Errorf("%s: mode %#o, want %#o", name, got, want)
				}
			}
		})
	}
}

// TestEmulatorCreatedModes: the files the emulator itself creates in a
// mail directory have the bits Plan 9 gives them: a POP3 DELE and QUIT
// make the emulator take L.mbox first, DMEXCL|0666 masked by the
// directory's bits as create(5) does (spec §1.8), and rewrite the
// mailbox through mbox.tmp, which keeps the mailbox's bits (spec §1.8
// "permissions copied from the old file"); neither mbox.tmp nor the
// dotlock is left behind.
func TestEmulatorCreatedModes(t *testing.T) {
	for _, tc := range []struct{ dir, mbox, lmbox fs.FileMode }{{0700, 0600, 0600}, {0750, 0640, 0640}, {0755, 0644, 0644}} {
		for _, attach := range []bool{false, true} {
			t.Run(fmt.Sprintf("dir=%#o/attach=%v", tc.dir, attach), func(t *testing.T) {
				root := testenv.MailRoot(t, "glenda")
				dir := filepath.Join(root, "box", "glenda")
				testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
				for name, mode := range map[string]fs.FileMode{"": tc.dir, "mbox": tc.mbox} {
					if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
						t.Fatal(err)
					}
				}
				_, pop3Addr := mailServers(t, root, attach)
				converse(t, pop3Addr, "S: +OK", "C: USER glenda", "S: +OK", "C: PASS s3cret", "S: +OK",
					"C: DELE 1", "S: +OK", "C: QUIT", "S: +OK")
				if n := len(testenv.Raws(readFile(t, filepath.Join(dir, "mbox")))); n != 4 {
					t.Fatalf("after DELE 1 the mbox holds %d messages, want 4", n)
				}
				for name, want := range map[string]fs.FileMode{"mbox": tc.mbox, "L.mbox": tc.lmbox} {
					st, err := os.Stat(filepath.Join(dir, name))
					if err != nil {
						t.Errorf("%v", err)
						continue
					}
					if got := st.Mode().Perm(); got != want {
						t.Errorf("%s: mode %#o, want %#o", name, got, want)
					}
				}
				for _, name := range []string{"mbox.tmp", "mbox.lock"} {
					if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
						t.Errorf("%s left behind", name)
					}
				}
			})
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
