//go:build unix

package mbox

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// childRewriter loops Lock, Recover, Scan, Rewrite without one random
// message, Unlock, until killed. After each successful Rewrite it logs
// the deleted message's digest to logPath.
func childRewriter(path, logPath string) error {
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0600)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	for {
		if err := deleteOne(path, logf, rng); err != nil {
			return err
		}
	}
}

// deleteOne is one round of childRewriter.
func deleteOne(path string, logf *os.File, rng *rand.Rand) error {
	l, err := Lock(path, 10*time.Second)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if err := Recover(path); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	msgs, err := Scan(bufio.NewReader(f), 0)
	if err != nil || len(msgs) == 0 {
		return err
	}
	k := rng.IntN(len(msgs))
	keep := append(msgs[:k:k], msgs[k+1:]...)
	if _, err := Rewrite(path, f, keep); err != nil {
		return err
	}
	_, err = logf.WriteString(msgs[k].DigestHex() + "\n")
	return err
}

// TestCrashRewrite kills a rewriting child at random moments, then
// recovers the mailbox and checks that it is a valid mbox holding a
// subset of the messages written, none duplicated or corrupted, with
// every message present that the child had not logged as deleted,
// except at most the one deletion per kill that was committed but not
// yet logged.
func TestCrashRewrite(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 5
	}
	dir := t.TempDir()
	path, logPath := filepath.Join(dir, "mbox"), filepath.Join(dir, "deleted")
	c := &crashCheck{t: t, path: path, orig: map[[20]byte]bool{}, gone: map[[20]byte]bool{}}
	c.refill(300)
	rng := rand.New(rand.NewPCG(1, 2))
	for range rounds {
		cmd, _ := startChild(t, "rewriter", true, "MBOX_PATH="+path, "MBOX_LOG="+logPath)
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := c.check(readLog(t, logPath))
		if n < 50 {
			c.refill(100)
		}
	}
	t.Logf("%d rounds: %d messages deleted, %d committed but not logged, %d .tmp files left", rounds, len(c.gone), c.unlogged, c.tmps)
	if len(c.gone) == 0 {
		t.Error("the child never deleted a message")
	}
}

// crashCheck is TestCrashRewrite's view of the mailbox: the digests of
// all messages ever written and of those known deleted.
type crashCheck struct {
	t        *testing.T
	path     string
	orig     map[[20]byte]bool
	gone     map[[20]byte]bool
	next     int // tag of the next message written
	unlogged int // deletions committed but not logged
	tmps     int // kills that left a .tmp behind
}

// refill appends n new messages and records their digests.
func (c *crashCheck) refill(n int) {
	for range n {
		msg := taggedMsg(fmt.Sprintf("orig-%d", c.next))
		c.next++
		if err := Append(c.path, msg, 5*time.Second); err != nil {
			c.t.Fatal(err)
		}
		msgs, err := Scan(bytes.NewReader(msg), 0)
		if err != nil || len(msgs) != 1 {
			c.t.Fatalf("Scan(taggedMsg) = %v, %v", msgs, err)
		}
		c.orig[msgs[0].Digest] = true
	}
}

// check locks (breaking the dead child's dotlock), recovers and checks
// the mailbox against the deletion log; it returns how many messages
// it holds.
func (c *crashCheck) check(logged map[[20]byte]bool) int {
	t := c.t
	l, err := Lock(c.path, 5*time.Second)
	if err != nil {
		t.Fatalf("Lock after the child was killed: %v", err)
	}
	defer l.Unlock()
	if _, err := os.Stat(c.path + ".tmp"); err == nil {
		c.tmps++
	}
	if err := Recover(c.path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf(".tmp after Recover: %v", err)
	}
	_, msgs := scanFile(t, c.path)
	present := map[[20]byte]bool{}
	for _, m := range msgs {
		switch {
		case !c.orig[m.Digest]:
			t.Fatalf("message at %d (digest %s) was never written: corrupted", m.Off, m.DigestHex())
		case present[m.Digest]:
			t.Fatalf("message %s duplicated", m.DigestHex())
		case logged[m.Digest]:
			t.Fatalf("message %s logged as deleted but present", m.DigestHex())
		}
		present[m.Digest] = true
	}
	var lost int
	for d := range c.orig {
		if !present[d] && !logged[d] && !c.gone[d] {
			lost++
		}
		if !present[d] {
			c.gone[d] = true
		}
	}
	if lost > 1 {
		t.Fatalf("%d messages missing that were not logged as deleted", lost)
	}
	c.unlogged += lost
	return len(msgs)
}

// readLog reads the child's deletion log.
func readLog(t *testing.T, path string) map[[20]byte]bool {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	logged := map[[20]byte]bool{}
	for line := range bytes.Lines(b) {
		var d [20]byte
		if n, err := hex.Decode(d[:], bytes.TrimSpace(line)); err != nil || n != len(d) {
			if !bytes.HasSuffix(line, []byte("\n")) {
				continue // a line cut short by the kill
			}
			t.Fatalf("bad log line %q", line)
		}
		logged[d] = true
	}
	return logged
}
