//go:build unix

package mbox

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestAppendWhileRewriting: appenders in goroutines and in child
// processes, all honoring the Lock, run while the mailbox is rewritten
// again and again without one of its original messages. In the end the
// mailbox holds exactly the originals not dropped plus every appended
// message, each once.
func TestAppendWhileRewriting(t *testing.T) {
	fastRetry(t)
	path := filepath.Join(t.TempDir(), "mbox")
	want := map[string]bool{}
	if err := appendTagged(path, "orig", 100); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		want[fmt.Sprintf("orig-%d", i)] = true
	}
	const perAppender = 15
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 2 {
		id := fmt.Sprintf("goroutine%d", g)
		wg.Go(func() { errs <- appendTagged(path, id, perAppender) })
	}
	for c := range 2 {
		id := fmt.Sprintf("child%d", c)
		cmd, _ := startChild(t, "append", false, "MBOX_PATH="+path, "MBOX_ID="+id, fmt.Sprintf("MBOX_N=%d", perAppender))
		wg.Go(func() { errs <- cmd.Wait() })
	}
	for g := range 2 {
		for c := range 2 {
			for i := range perAppender {
				want[fmt.Sprintf("%s%d-%d", []string{"goroutine", "child"}[c], g, i)] = true
			}
		}
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	rng := rand.New(rand.NewPCG(3, 4))
	rewrites := 0
	for running := true; running || rewrites < 30; rewrites++ {
		delete(want, dropOriginal(t, path, rng))
		select {
		case <-done:
			running = false
		case <-time.After(time.Millisecond):
		}
	}
	t.Logf("%d rewrites", rewrites)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("appender: %v", err)
		}
	}
	b, msgs := scanFile(t, path)
	seen := map[string]bool{}
	for _, tag := range tagsOf(b, msgs) {
		if !want[tag] || seen[tag] {
			t.Errorf("unexpected or duplicated message %q", tag)
		}
		seen[tag] = true
	}
	if len(seen) != len(want) {
		t.Errorf("mailbox holds %d messages, want %d", len(seen), len(want))
	}
}

// dropOriginal rewrites path under the Lock without one random "orig-"
// message and returns its tag; with none left, it rewrites path whole.
func dropOriginal(t *testing.T, path string, rng *rand.Rand) string {
	t.Helper()
	l, err := Lock(path, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs, err := Scan(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	keep := msgs
	var dropped string
	for _, k := range rng.Perm(len(msgs)) {
		b := make([]byte, msgs[k].Len)
		if _, err := f.ReadAt(b, msgs[k].Off); err != nil {
			t.Fatal(err)
		}
		if tag := tagOf(b); len(tag) > 5 && tag[:5] == "orig-" {
			dropped = tag
			keep = append(msgs[:k:k], msgs[k+1:]...)
			break
		}
	}
	if _, err := Rewrite(path, f, keep); err != nil {
		t.Fatal(err)
	}
	return dropped
}
