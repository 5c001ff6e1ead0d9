package imap_test

import (
	"fmt"
	"testing"
)

// BenchmarkSearchUpdates is what updating searches (CONTEXT=SEARCH,
// context.go) add to each sync of a 10,000-message INBOX: a NOOP that
// finds nothing changed, and a STORE that changes one message, with
// none and with 4 searches updating (the default limit), one of them a
// BODY search.
func BenchmarkSearchUpdates(b *testing.B) {
	srv := benchServer(b, 10000)
	for _, updates := range []int{0, 4} {
		command, done := benchSession(b, srv)
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
		done()
	}
}
