package pop3_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/mailfs"
	"p9mail/protocol/pop3"
	"p9mail/testenv"
)

// BenchmarkLoginAfterRestart100k times a POP3 login (USER, PASS, STAT)
// on a 100,000-message mbox in a server just started, whose in-process
// emulator has no parse yet: "cold" without an index, "index" with the
// emulator's index a server before it left (server.Config.Index), which
// saves the scan of the mbox, and "index+sizes" with pop3's own index
// of RETR sizes too (Config.IndexDir), which saves reading every
// message's raw file; the digests are still read through 9P.
func BenchmarkLoginAfterRestart100k(b *testing.B) {
	const n = 100000
	root := testenv.MailRoot(b, "glenda")
	f, err := os.Create(filepath.Join(root, "box", "glenda", "mbox"))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := testenv.WriteMbox(w, 1, n); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	keys, err := auth.OpenKeys(testenv.WriteKeys(b, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		b.Fatal(err)
	}
	login := func(b *testing.B, index, sizes string) {
		_, tp, done := dialPOP3(b, pop3.Config{
			Source: &mailfs.Source{Root: root, Index: index}, Keys: keys, AllowPlain: true, IndexDir: sizes,
			Delay: auth.Delay{Base: time.Millisecond, Max: time.Millisecond, Limit: 3},
		})
		defer done()
		for _, cmd := range []string{"", "USER glenda", "PASS pw", "STAT", "QUIT"} {
			if cmd != "" {
				if err := tp.PrintfLine("%s", cmd); err != nil {
					b.Fatal(err)
				}
			}
			line, err := tp.ReadLine()
			if err != nil || !strings.HasPrefix(line, "+OK") {
				b.Fatalf("%s: %q %v", cmd, line, err)
			}
		}
	}
	idx := filepath.Join(b.TempDir(), "index")
	sizes := filepath.Join(b.TempDir(), "pop3")
	login(b, idx, sizes) // the server before the restart writes the indexes
	for _, c := range []struct{ name, index, sizes string }{{"cold", "", ""}, {"index", idx, ""}, {"index+sizes", idx, sizes}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				login(b, c.index, c.sizes)
			}
		})
	}
}
