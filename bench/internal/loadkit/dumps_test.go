package loadkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sum(n int64) MsgSum { return MsgSum{Octets: n, CRC: uint32(n)} }

func sums(ns ...int64) []MsgSum {
	var out []MsgSum
	for _, n := range ns {
		out = append(out, sum(n))
	}
	return out
}

func TestAlign(t *testing.T) {
	for _, tt := range []struct {
		name       string
		ours, dove []MsgSum
		want       string
	}{
		{"same", sums(1, 2, 3), sums(1, 2, 3),
			"same=3 pairs=[[0 0] [1 1] [2 2]] merges=0/0 [] other=0@0"},
		{"merge of two, From line between", sums(1, 2, 3, 4, 5), sums(1, 9, 4, 5),
			"same=3 pairs=[[0 0] [3 2] [4 3]] merges=1/2 [2] other=0@0"},
		{"merge of three", sums(1, 2, 3, 4, 5), sums(1, 9, 5),
			"same=2 pairs=[[0 0] [4 2]] merges=1/3 [2] other=0@0"},
		{"merge at the end", sums(1, 2, 3), sums(1, 6),
			"same=1 pairs=[[0 0]] merges=1/2 [2] other=0@0"},
		{"one differs", sums(1, 2, 3), sums(1, 7, 3),
			"same=2 pairs=[[0 0] [2 2]] merges=0/0 [] other=1@2"},
		{"dovecot shorter", sums(1, 2, 3), sums(1, 2),
			"same=2 pairs=[[0 0] [1 1]] merges=0/0 [] other=1@0"},
		{"empty", nil, sums(1),
			"same=0 pairs=[] merges=0/0 [] other=1@0"},
	} {
		a := Align(tt.ours, tt.dove)
		got := fmt.Sprintf("same=%d pairs=%v merges=%d/%d %v other=%d@%d",
			a.Same, a.Pairs, a.Merges, a.Merged, a.Examples, a.Other, a.FirstOther)
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCompareDumps(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, s []MsgSum) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := WriteDump(f, s); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ours := write("ours", sums(1, 2, 3, 4, 8))
	for _, tt := range []struct {
		dove []MsgSum
		want string
	}{
		{sums(1, 5, 4, 9), `per message (cold run): ours 5, Dovecot 4
  2 byte-identical (same octets and CRC-32C)
  1 Dovecot messages are 2 of ours run together (it takes fewer mbox From lines as separators), e.g. ours [2]
  1 other differing messages, first at ours 5
`},
		{sums(1, 5, 4, 8), `per message (cold run): ours 5, Dovecot 4
  3 byte-identical (same octets and CRC-32C)
  1 Dovecot messages are 2 of ours run together (it takes fewer mbox From lines as separators), e.g. ours [2]
  no other difference: the counts differ by the merges alone (5 - 2 + 1 = 4)
`},
	} {
		dove := write("dove", tt.dove)
		var b strings.Builder
		if err := CompareDumps(&b, ours+","+dove); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
		}
	}
	if got, err := ReadDump(ours); err != nil || len(got) != 5 || got[4] != sum(8) {
		t.Errorf("ReadDump = %v, %v", got, err)
	}
}

func TestReadDumpErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ text, want string }{
		{"2 10 0000000a\n", "message 2 out of order"},
		{"1 ten 0a\n", `line "1 ten 0a"`},
	} {
		p := filepath.Join(dir, "d")
		if err := os.WriteFile(p, []byte(tt.text), 0644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadDump(p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadDump(%q) = %v, want %q", tt.text, err, tt.want)
		}
	}
}
