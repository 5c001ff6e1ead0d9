package mailfs

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"9fans.net/go/plan9"

	"p9mail/testenv"
	"p9mail/upasfs"
)

// open opens user's mbox under box in a fresh name space and returns
// what a session would pass to Digests.
func open(t *testing.T, src *Source, box string) (*upasfs.Client, []int, func() ([]string, error)) {
	t.Helper()
	ns, err := src.Namespace("glenda")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	fs := upasfs.New(ns, FSDir)
	name := MboxPath("glenda", "mbox")
	before, err := ns.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Open(name, box); err != nil {
		t.Fatal(err)
	}
	nums, err := fs.List(box)
	if err != nil {
		t.Fatal(err)
	}
	return fs, nums, func() ([]string, error) { return cache.Digests(ns, fs, name, box, before, nums) }
}

var cache DigestCache

// TestDigestCache: a second session on an unchanged mailbox gets the
// cached digests; after a delivery the file's stat differs and they are
// read again; they always equal what upasfs serves.
func TestDigestCache(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	path := testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("all"))
	src := &Source{Root: root}
	check := func(fs *upasfs.Client, nums []int, got []string) {
		t.Helper()
		want, err := fs.ReadFiles("b", nums, upasfs.FileDigest)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d digests, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != strings.TrimSpace(string(want[i])) {
				t.Fatalf("digest %d = %s, want %s", i, got[i], want[i])
			}
		}
	}
	fs, nums, digests := open(t, src, "b")
	got, err := digests()
	if err != nil {
		t.Fatal(err)
	}
	check(fs, nums, got)
	e := cache.m[MboxPath("glenda", "mbox")]
	if e == nil || len(e.digests) != len(nums) {
		t.Fatal("not cached")
	}
	// Unchanged: the very same slice comes back.
	fs, nums, digests = open(t, src, "b")
	got2, err := digests()
	if err != nil || &got2[0] != &e.digests[0] {
		t.Fatalf("second session did not use the cache (%v)", err)
	}
	check(fs, nums, got2)
	// A delivery changes the file: read again, cached anew.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("From x@y Mon Jan  6 10:00:00 GMT 2025\nSubject: new\n\nhi\n\n"))
	f.Close()
	fs, nums, digests = open(t, src, "b")
	got3, err := digests()
	if err != nil {
		t.Fatal(err)
	}
	if len(got3) != len(got)+1 || &got3[0] == &e.digests[0] {
		t.Fatalf("after delivery: %d digests, cached slice reused: %v", len(got3), &got3[0] == &e.digests[0])
	}
	check(fs, nums, got3)
}

// TestDigestCacheCached: Cached gives a new session's digests, without
// a listing, only for the file as the cache knows it.
func TestDigestCacheCached(t *testing.T) {
	var c DigestCache
	root := testenv.MailRoot(t, "glenda")
	path := testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("all"))
	src := &Source{Root: root}
	ns, err := src.Namespace("glenda")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	fs := upasfs.New(ns, FSDir)
	name := MboxPath("glenda", "mbox")
	session := func(box string) ([]string, []int, *plan9.Dir) {
		before, err := ns.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		cached := c.Cached(ns, name, before)
		if err := fs.Open(name, box); err != nil {
			t.Fatal(err)
		}
		nums, err := fs.List(box)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Digests(ns, fs, name, box, before, nums); err != nil {
			t.Fatal(err)
		}
		return cached, nums, before
	}
	if cached, _, _ := session("a"); cached != nil {
		t.Fatal("cached before any session")
	}
	cached, nums, _ := session("b")
	want, err := fs.ReadFiles("b", nums, upasfs.FileDigest)
	if err != nil {
		t.Fatal(err)
	}
	if len(cached) != len(nums) || !slices.Equal(nums, oneToN(len(nums))) {
		t.Fatalf("cached %d digests for %d messages %v", len(cached), len(nums), nums)
	}
	for i := range want {
		if cached[i] != strings.TrimSpace(string(want[i])) {
			t.Fatalf("digest %d = %s, want %s", i+1, cached[i], want[i])
		}
	}
	// The file changes after the stat: nothing cached.
	before, err := ns.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("From x@y Mon Jan  6 10:00:00 GMT 2025\nSubject: new\n\nhi\n\n"))
	f.Close()
	if c.Cached(ns, name, before) != nil {
		t.Fatal("cached digests given for a file that changed")
	}
	if cached, _, _ := session("c"); cached != nil {
		t.Fatal("cached digests given for the grown file before a session read them")
	}
}

func oneToN(n int) []int {
	nums := make([]int, n)
	for i := range nums {
		nums[i] = i + 1
	}
	return nums
}

// TestDigestCacheBounds: the cache keeps within its count of mailboxes
// and of digests, whatever it is given.
func TestDigestCacheBounds(t *testing.T) {
	var c DigestCache
	entry := func(n int) *digestEntry { return &digestEntry{digests: make([]string, n)} }
	for i := range 3 * maxCached {
		c.put(fmt.Sprint("/mail/box/u/", i), entry(1))
		if len(c.m) > maxCached {
			t.Fatalf("%d mailboxes cached", len(c.m))
		}
	}
	for i := range 20 {
		c.put(fmt.Sprint("/mail/box/big/", i), entry(maxDigests/7))
		sum := 0
		for _, e := range c.m {
			sum += len(e.digests)
		}
		if sum != c.total || c.total > maxDigests {
			t.Fatalf("%d digests cached (counted %d), at most %d", sum, c.total, maxDigests)
		}
	}
	c.put("/mail/box/huge/mbox", entry(maxDigests+1))
	if c.m["/mail/box/huge/mbox"] != nil {
		t.Fatal("a mailbox beyond the bound cached")
	}
	c.put("/mail/box/big/3", entry(5)) // replaces
	if c.m["/mail/box/big/3"] == nil {
		t.Fatal("the newest entry is not there")
	}
}

// TestDigestCacheFile: with Dir, a new cache (a restarted server) gives
// the digests a former one read, for the file as it was then only, and
// never from a damaged file.
func TestDigestCacheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "digests")
	root := testenv.MailRoot(t, "glenda")
	path := testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("all"))
	src := &Source{Root: root}
	ns, err := src.Namespace("glenda")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	fs := upasfs.New(ns, FSDir)
	name := MboxPath("glenda", "mbox")
	before, err := ns.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Open(name, "a"); err != nil {
		t.Fatal(err)
	}
	nums, err := fs.List("a")
	if err != nil {
		t.Fatal(err)
	}
	first := &DigestCache{Dir: dir}
	want, err := first.Digests(ns, fs, name, "a", before, nums)
	if err != nil {
		t.Fatal(err)
	}
	if got := (&DigestCache{Dir: dir}).Cached(ns, name, before); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("after a restart: %d digests, want %d", len(got), len(want))
	}
	if got := (&DigestCache{}).Cached(ns, name, before); got != nil {
		t.Fatal("digests without a directory")
	}
	file := digestPath(dir, name)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, len(data) / 2, len(data) - 3} {
		bad := slices.Clone(data)
		bad[i] ^= 1
		if err := os.WriteFile(file, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := (&DigestCache{Dir: dir}).Cached(ns, name, before); got != nil {
			t.Fatalf("a file damaged at byte %d was used", i)
		}
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("From x@y Mon Jan  6 10:00:00 GMT 2025\nSubject: new\n\nhi\n\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	now, err := ns.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := (&DigestCache{Dir: dir}).Cached(ns, name, now); got != nil {
		t.Fatal("digests of the old file given for the grown one")
	}
}

// FuzzDigestFile: any file decodes to nothing or to an entry that
// encodes to a file decoding to the same entry.
func FuzzDigestFile(f *testing.F) {
	e := &digestEntry{qid: plan9.Qid{Path: 7, Vers: 9, Type: 0}, length: 1234, digests: []string{"ab12", "cd34"}}
	f.Add(encodeDigests("/mail/box/u/mbox", e, 55), "/mail/box/u/mbox")
	f.Add([]byte(digestMagic+"\n/n\n0 0 0 0 0 0\n00000000\n"), "/n")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		e, mtime, err := decodeDigests(data, name)
		if err != nil {
			return
		}
		again := encodeDigests(name, e, mtime)
		e2, mtime2, err := decodeDigests(again, name)
		if err != nil || e2.qid != e.qid || e2.length != e.length || mtime2 != mtime || !slices.Equal(e2.digests, e.digests) {
			t.Fatalf("decoded %q, encodes as %q, which decodes as %v, %v", data, again, e2, err)
		}
	})
}
