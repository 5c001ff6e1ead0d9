package imap_test

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/imap/statefile"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// TestImpEditMovesModSeq: a session gives the mailbox its state; then
// the .imp is changed as Plan 9's imap4d would change it (message 4
// \Flagged). The next session must show the flag and give message 4,
// and only it, a new mod-sequence above the highest.
func TestImpEditMovesModSeq(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("p9p"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go srv.Serve(l, false)
	session := func(cmds ...string) []string {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		r.ReadString('\n')
		var all []string
		for _, cmd := range append([]string{"LOGIN glenda pw", "SELECT INBOX"}, cmds...) {
			if _, err := c.Write([]byte("t " + cmd + "\r\n")); err != nil {
				t.Fatal(err)
			}
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, strings.TrimRight(line, "\r\n"))
				if strings.HasPrefix(line, "t ") {
					break
				}
			}
		}
		return all
	}
	dir := filepath.Join(root, "box", "glenda")
	readState := func() *statefile.File {
		data, err := os.ReadFile(filepath.Join(dir, "mbox.imp.imp"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := statefile.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	session("STORE 1 +FLAGS (\\Seen)")
	before := readState()
	impPath := filepath.Join(dir, "mbox.imp")
	imp, err := os.ReadFile(impPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(imp), "\n")
	// lines[0] is the description, [1] the UIDVALIDITY/UIDNEXT line,
	// then one line per message: digest uid flags.
	if !strings.HasSuffix(lines[5], " --------") {
		t.Fatalf("message 4's line %q", lines[5])
	}
	lines[5] = strings.TrimSuffix(lines[5], "--------") + "--f-----"
	if err := os.WriteFile(impPath, []byte(strings.Join(lines, "\n")), 0600); err != nil {
		t.Fatal(err)
	}
	out := session("FETCH 4 FLAGS")
	if !slicesContainRE(out, `^\* 4 FETCH \(FLAGS \(\\Flagged\)\)$`) {
		t.Fatalf("the flag set in the .imp is not seen: %q", out)
	}
	after := readState()
	if after.HighestModSeq != before.HighestModSeq+1 {
		t.Fatalf("HIGHESTMODSEQ %d → %d, want one more", before.HighestModSeq, after.HighestModSeq)
	}
	for i, m := range after.Msgs {
		moved := m.ModSeq != before.Msgs[i].ModSeq
		if moved != (m.UID == 4) || m.UID == 4 && m.ModSeq != after.HighestModSeq {
			t.Errorf("UID %d: mod-sequence %d → %d", m.UID, before.Msgs[i].ModSeq, m.ModSeq)
		}
	}
}

func slicesContainRE(lines []string, re string) bool {
	r := regexp.MustCompile(re)
	for _, l := range lines {
		if r.MatchString(l) {
			return true
		}
	}
	return false
}
