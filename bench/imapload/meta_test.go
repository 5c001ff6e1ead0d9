package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"p9mail/bench/internal/loadkit"
)

func TestCompareMeta(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, sums []loadkit.MsgSum, metas []*fetched) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := loadkit.WriteDump(f, sums); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := writeMeta(p+".meta", metas); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sums := []loadkit.MsgSum{{Octets: 10, CRC: 1}, {Octets: 20, CRC: 2}}
	ours := write("ours", sums, []*fetched{
		{Seq: 1, Size: 10, Flags: `(\Recent)`, Date: `"02-Jan-2024"`, Env: `("d" "s")`, BS: `("TEXT" "PLAIN")`},
		{Seq: 2, Size: 20, Flags: `()`, Date: `"03-Jan-2024"`, Env: `("d" "t")`, BS: `("TEXT" "HTML")`},
	})
	dove := write("dove", sums, []*fetched{
		{Seq: 1, Size: 10, Flags: `(\Recent)`, Date: `" 2-Jan-2024"`, Env: `("d" "s")`, BS: `("text" "plain")`},
		{Seq: 2, Size: 20, Flags: `()`, Date: `"03-Jan-2024"`, Env: `("d" "u")`, BS: `("TEXT" "HTML")`},
	})
	var b strings.Builder
	if err := compareMeta(&b, ours, dove); err != nil {
		t.Fatal(err)
	}
	want := `listing items of the 2 messages delivered identically (cold run):
  RFC822.SIZE   same 2, same but for case 0, differ 0
  FLAGS         same 2, same but for case 0, differ 0
  INTERNALDATE  same 1, same but for case 0, differ 1
    first difference, ours 1: "02-Jan-2024"
             Dovecot 1     " 2-Jan-2024"
  ENVELOPE      same 1, same but for case 0, differ 1
    first difference, ours 2: ("d" "t")
             Dovecot 2     ("d" "u")
  BODYSTRUCTURE same 1, same but for case 1, differ 0
    first difference, ours 1: ("TEXT" "PLAIN")
             Dovecot 1     ("text" "plain")
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
