package imap_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// BenchmarkSearchUpdates is what updating searches (CONTEXT=SEARCH,
// context.go) add to each sync of a 10,000-message INBOX: a NOOP that
// finds nothing changed, and a STORE that changes one message, with
// none and with 4 searches updating (the default limit), one of them a
// BODY search.
func BenchmarkSearchUpdates(b *testing.B) {
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 1, 10000); err != nil {
		b.Fatal(err)
	}
	root := testenv.MailRoot(b, "glenda")
	testenv.WriteFixture(b, root, "glenda", "mbox", mbox.Bytes())
	keys, err := auth.OpenKeys(testenv.WriteKeys(b, root, map[string]string{"glenda": "s3cret"}))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, updates := range []int{0, 4} {
		c1, c2 := net.Pipe()
		go srv.ServeConn(c1, false)
		r := bufio.NewReader(c2)
		command := func(tag, cmd string) {
			fmt.Fprintf(c2, "%s %s\r\n", tag, cmd)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					b.Fatal(err)
				}
				if strings.HasPrefix(line, tag+" ") {
					if !strings.HasPrefix(line, tag+" OK") {
						b.Fatal(line)
					}
					return
				}
			}
		}
		r.ReadString('\n') // greeting
		command("a", "LOGIN glenda s3cret")
		command("b", "SELECT INBOX")
		programs := []string{"UNSEEN", "FLAGGED", "OR DELETED KEYWORD $Junk", "BODY \"no such text\" SEEN"}
		for i := range updates {
			command(fmt.Sprintf("u%d", i), "UID SEARCH RETURN (UPDATE COUNT) "+programs[i])
		}
		b.Run(fmt.Sprintf("noop/updates=%d", updates), func(b *testing.B) {
			for b.Loop() {
				command("n", "NOOP")
			}
		})
		b.Run(fmt.Sprintf("store-one/updates=%d", updates), func(b *testing.B) {
			op := "+"
			for b.Loop() {
				command("s", "STORE 5000 "+op+"FLAGS.SILENT (\\Seen)")
				op = map[string]string{"+": "-", "-": "+"}[op]
			}
		})
		c2.Close()
	}
}
