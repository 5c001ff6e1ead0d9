package imap_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// FuzzSession feeds arbitrary client bytes to a pre-authenticated
// session, so every command is reachable. The server must not panic or
// hang once the client hangs up, and the mailbox must afterwards hold
// only intact messages of the original (EXPUNGE may remove some).
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"a SELECT INBOX\r\nb FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[] BODY[1.MIME]<0.10>)\r\n",
		"a SELECT INBOX\r\nb STORE 1:2 +FLAGS (\\Deleted)\r\nc EXPUNGE\r\nd SEARCH OR SEEN TEXT x\r\n",
		"a LIST \"\" *\r\nb CREATE x/y\r\nc APPEND x/y {5+}\r\nhello\r\nd STATUS x/y (MESSAGES)\r\n",
		"a SELECT INBOX\r\nb COPY 1 x\r\nc UID FETCH 1:* RFC822.SIZE\r\nd IDLE\r\nDONE\r\n",
		"a RENAME INBOX y\r\nb DELETE y\r\nc LSUB \"\" %\r\nd SUBSCRIBE INBOX\r\n{99999999}\r\n",
		"a ENABLE X-Y\r\nb CREATE Sent (USE (\\Sent))\r\nc LIST (SPECIAL-USE) \"\" * RETURN (STATUS (SIZE APPENDLIMIT))\r\n",
		"a SUBSCRIBE INBOX\r\nb LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (% x/*) RETURN (CHILDREN SUBSCRIBED)\r\nc RENAME Sent x/S\r\n",
		"a SELECT INBOX\r\nb SEARCH RETURN (SAVE MIN) CHARSET UTF-8 BODY \"jalape\xc3\xb1o\"\r\nc FETCH $ (FLAGS)\r\nd UID STORE $ +FLAGS (\\Deleted)\r\ne UID EXPUNGE $\r\n",
		"a SELECT INBOX\r\nb UID SEARCH RETURN (UPDATE PARTIAL -1:-3 COUNT) OR $ YOUNGER 60\r\nc STORE 1:* +FLAGS (\\Seen)\r\nd CANCELUPDATE \"b\"\r\ne MOVE $ x\r\n",
		"a ENABLE CONDSTORE\r\nb SELECT INBOX (CONDSTORE)\r\nc FETCH 1:* (FLAGS) (CHANGEDSINCE 1)\r\nd STORE 1:2 (UNCHANGEDSINCE 2) +FLAGS (\\Seen)\r\ne SEARCH RETURN (MAX) MODSEQ \"/flags/\\\\seen\" priv 1\r\nf STATUS INBOX (HIGHESTMODSEQ)\r\n",
		"a SELECT INBOX\r\nb SORT (REVERSE SUBJECT DATE DISPLAYTO) UTF-8 ALL\r\nc UID SORT (SIZE CC) US-ASCII OR 1 FROM x\r\n",
		"a SELECT INBOX\r\nb SORT RETURN (MIN MAX ALL COUNT SAVE) (REVERSE ARRIVAL) UTF-8 ALL\r\nc UID SORT RETURN (UPDATE PARTIAL 1:3) (SUBJECT) UTF-8 UNSEEN\r\nd STORE 1:* +FLAGS (\\Seen)\r\ne STORE 2 -FLAGS (\\Seen)\r\nf CANCELUPDATE \"c\"\r\ng FETCH $ (FLAGS)\r\n",
		"a SELECT INBOX\r\nb THREAD REFERENCES UTF-8 ALL\r\nc UID THREAD ORDEREDSUBJECT UTF-8 1:*\r\nd THREAD REFS UTF-8 ALL\r\n",
		"a SELECT INBOX\r\nb FETCH 1:* (BINARY.SIZE[1] BINARY.PEEK[2]<1.5> BINARY[])\r\nc UID FETCH 1:* BINARY.SIZE[1.1]\r\n",
		"a CREATE x\r\nb APPEND x ~{16+}\r\nS: y\r\n\r\na\nb\x00\rc\r\nc APPEND x {3+}\r\nS:\n (\\Seen) ~{2+}\r\n\n\n\r\n",
		"a SELECT INBOX\r\nb CREATE x\r\nb APPEND x CATENATE (URL \"/INBOX/;UID=1/;SECTION=HEADER\" TEXT {3+}\r\nx\r\n URL \"/INBOX/;UID=2/;SECTION=1/;PARTIAL=2.9\")\r\nc STATUS x (MESSAGES)\r\n",
		"a CREATE x\r\nb APPEND x {2+}\r\nx\n CATENATE (URL \"/INBOX;UIDVALIDITY=1/;UID=1\") CATENATE (TEXT {1+}\r\ny)\r\nc APPEND x CATENATE (URL \"/x/;UID=1/;SECTION=2.MIME\")\r\n",
	} {
		f.Add([]byte(s))
	}
	orig := testenv.Fixture("all")
	f.Fuzz(func(t *testing.T, input []byte) {
		root := testenv.MailRoot(t, "glenda")
		path := testenv.WriteFixture(t, root, "glenda", "mbox", orig)
		srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Preauth: "glenda",
			Delay:   auth.Delay{Base: time.Microsecond, Max: time.Microsecond, Limit: 3},
			MaxLine: 4096, MaxLiteral: 1 << 16, IdlePoll: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		c1, c2 := net.Pipe()
		done := make(chan struct{})
		go func() { srv.ServeConn(c1, false); close(done) }()
		read := make(chan struct{})
		go func() { io.Copy(io.Discard, c2); close(read) }()
		c2.SetWriteDeadline(time.Now().Add(2 * time.Second))
		c2.Write(input)
		c2.Write([]byte("\r\nz LOGOUT\r\n"))
		select {
		case <-done:
		case <-time.After(300 * time.Millisecond):
			c2.Close()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("session does not end when the client hangs up")
			}
		}
		c2.Close()
		<-read
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		all := map[string]bool{}
		for _, r := range testenv.Raws(orig) {
			all[string(r)] = true
		}
		for _, r := range testenv.Raws(after) {
			if !all[string(r)] && !bytes.Equal(r, nil) {
				t.Fatalf("mailbox corrupted: %q", r[:min(len(r), 200)])
			}
		}
	})
}
