package imap_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestStatusSizeCheap: STATUS SIZE (RFC 8438) is the sum of the
// RFC822.SIZEs FETCH gives; it loads each message once, and a server
// restarted on the same index directory answers it without loading
// any: the sizes come from the structures the index already keeps.
func TestStatusSizeCheap(t *testing.T) {
	const n = 120
	root, keys := indexRoot(t, n)
	dir := filepath.Join(t.TempDir(), "index")
	srv := indexServer(t, root, keys, dir)
	srv.SetFront(20)
	cl := dialIndexed(t, srv)
	var sum int64
	for _, m := range regexp.MustCompile(`RFC822\.SIZE (\d+)`).FindAllStringSubmatch(cl.cmd("FETCH 1:* RFC822.SIZE"), -1) {
		v, _ := strconv.ParseInt(m[1], 10, 64)
		sum += v
	}
	loaded := srv.Loads()
	if loaded != n {
		t.Fatalf("FETCH loaded %d messages, want %d", loaded, n)
	}
	want := `* STATUS "INBOX" (SIZE ` + strconv.FormatInt(sum, 10) + ")\r\n"
	if got := cl.cmd("STATUS INBOX (SIZE)"); got != want || srv.Loads() != loaded {
		t.Fatalf("STATUS gave %q, want %q; loaded %d more messages", got, want, srv.Loads()-loaded)
	}

	again := indexServer(t, root, keys, dir)
	cl2 := dialIndexed(t, again)
	cl2.cmd("UNSELECT")
	if got := cl2.cmd("STATUS INBOX (SIZE)"); got != want || again.Loads() != 0 {
		t.Fatalf("after a restart STATUS gave %q, want %q; loaded %d messages", got, want, again.Loads())
	}

	cold := indexServer(t, root, keys, "")
	cl3 := dialIndexed(t, cold)
	cl3.cmd("UNSELECT")
	if got := cl3.cmd("STATUS INBOX (SIZE)"); got != want || cold.Loads() != n {
		t.Fatalf("without an index STATUS gave %q, want %q; loaded %d messages, want %d", got, want, cold.Loads(), n)
	}
}
