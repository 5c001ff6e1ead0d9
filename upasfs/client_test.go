package upasfs_test

import (
	"bytes"
	"strings"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

func TestParseInfo(t *testing.T) {
	in := "a@b\nc@d\n\nr@b\nMon Jan  6 10:00:00 2025\nHi\ntext/plain\n\n\n" +
		"622e75ceafcb3207afe1ca6b5888256281396c10\n\n<x@y>\nMon, 6 Jan 2025 10:00:00 +0000\n\n<id@b>\n5\n"
	inf, err := upasfs.ParseInfo([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if inf.From != "a@b" || inf.To != "c@d" || inf.Subject != "Hi" || inf.Digest[:8] != "622e75ce" ||
		inf.InReplyTo != "<x@y>" || inf.MessageID != "<id@b>" || inf.Lines != 5 || inf.UnixDate != "Mon Jan  6 10:00:00 2025" {
		t.Errorf("got %+v", inf)
	}
	// 9front's 20 lines (spec §1.10).
	inf, err = upasfs.ParseInfo([]byte(in + "1234\n-a-----\n1700000000.00\nAlice\n"))
	if err != nil || inf.Size != 1234 || inf.Flags != "-a-----" || inf.FFrom != "Alice" {
		t.Errorf("9front info: %+v, %v", inf, err)
	}
	if _, err := upasfs.ParseInfo([]byte("a\nb\n")); err == nil {
		t.Error("2 lines accepted")
	}
	if _, err := upasfs.ParseInfo([]byte(strings.Repeat("\n", 15) + "x\n")); err == nil {
		t.Error("bad lines field accepted")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"mbox": "mbox", "": "''", "a b": "'a b'", "it's": "'it''s'", "/mail/box/u/mbox": "/mail/box/u/mbox",
	} {
		if got := upasfs.Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestClient drives the client against the emulator: open a box under
// a quoted name, list, read info concurrently, delete in batches larger
// than one ctl write (spec §2.7: at most 8 KB each), close.
func TestClient(t *testing.T) {
	root := testenv.MailRoot(t, "glenda")
	var b bytes.Buffer
	testenv.WriteMbox(&b, 5, 2500)
	testenv.WriteFixture(t, root, "glenda", "other box", b.Bytes())
	emu := testenv.StartEmulator(t, root, server.Config{NoOpen: true})
	c := upasfs.New(emu.Mount(t, "glenda", ""), "")
	if err := c.Open("/mail/box/glenda/other box", "my box"); err != nil {
		t.Fatal(err)
	}
	nums, err := c.List("my box")
	if err != nil || len(nums) != 2500 {
		t.Fatalf("List: %d, %v", len(nums), err)
	}
	infos, err := c.Infos("my box", nums)
	if err != nil {
		t.Fatal(err)
	}
	for i, inf := range infos {
		if inf == nil || len(inf.Digest) != 40 {
			t.Fatalf("info %d: %+v", nums[i], inf)
		}
	}
	// 2400 numbers take well over 8 KB: several writes.
	if err := c.Delete("my box", nums[:2400]...); err != nil {
		t.Fatal(err)
	}
	left, err := c.List("my box")
	if err != nil || len(left) != 100 || left[0] != 2401 {
		t.Fatalf("after delete: %v, %v", left[:min(3, len(left))], err)
	}
	// Parts of a multipart message: the generator's first 12 messages hold
	// every kind; find one with parts in the rest.
	found := false
	for _, n := range left {
		ps, err := c.Parts("my box", n, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 {
			if ps[0] != 1 {
				t.Errorf("parts of %d: %v", n, ps)
			}
			found = true
			break
		}
	}
	if !found {
		t.Error("no multipart message among 100")
	}
	if err := c.Close("my box"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List("my box"); err == nil {
		t.Error("closed box still listed")
	}
}
