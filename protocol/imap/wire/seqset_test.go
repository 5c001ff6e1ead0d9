package wire_test

import (
	"fmt"
	"testing"

	"p9mail/protocol/imap/wire"
)

func TestSeqSetParse(t *testing.T) {
	set := func(uid bool) func(d *wire.Decoder) (string, bool) {
		return func(d *wire.Decoder) (string, bool) {
			var s wire.SeqSet
			var ok bool
			if uid {
				ok = d.ExpectUIDSet(&s)
			} else {
				ok = d.ExpectSeqSet(&s)
			}
			return fmt.Sprintf("%v %s", []wire.SeqRange(s), s), ok
		}
	}
	runParse(t, []parseCase{
		{"1\r\n", "[{1 1}] 1"},
		{"2:4\r\n", "[{2 4}] 2:4"},
		{"4:2\r\n", "[{4 2}] 4:2"},
		{"*\r\n", "[{0 0}] *"},
		{"1:*\r\n", "[{1 0}] 1:*"},
		{"2,4:7,9,12:*\r\n", "[{2 2} {4 7} {9 9} {12 0}] 2,4:7,9,12:*"},
		{"*:4,5:5\r\n", "[{0 4} {5 5}] *:4,5"},
		{"0\r\n", "error: invalid sequence number 0"},
		{"0:*\r\n", "error: invalid sequence number 0"},
		{"1,\r\n", "error: expected sequence set"},
		{"1:\r\n", "error: expected sequence set"},
		{"4294967296\r\n", "error: number out of range"},
		{"a\r\n", "error: expected sequence set"},
	}, set(false))
	runParse(t, []parseCase{
		{"0:*\r\n", "[{1 0}] 1:*"},
		{"5:0\r\n", "[{5 1}] 5:1"},
		{"0\r\n", "error: invalid sequence number 0"},
		{"0:0\r\n", "error: invalid sequence number 0"},
		{"4294967295\r\n", "[{4294967295 4294967295}] 4294967295"},
	}, set(true))
}

func TestSeqSetMethods(t *testing.T) {
	s := wire.SeqSet{{2, 2}, {4, 7}, {9, wire.Star}, {6, 3}}
	for _, c := range []struct {
		n, max uint32
		want   bool
	}{
		{1, 10, false}, {2, 10, true}, {3, 10, true}, {8, 10, false},
		{9, 10, true}, {10, 10, true}, {11, 10, false},
		{8, 5, true}, // 9:* with * = 5 is 5:9
	} {
		if got := s.Contains(c.n, c.max); got != c.want {
			t.Errorf("Contains(%d, %d) = %v", c.n, c.max, got)
		}
	}
	if got := fmt.Sprint(s.Expand(10)); got != "[2 3 4 5 6 7 9 10]" {
		t.Errorf("Expand(10) = %s", got)
	}
	if got := fmt.Sprint(s.Expand(0)); got != "[]" {
		t.Errorf("Expand(0) = %s", got)
	}
	if got := fmt.Sprint(wire.SeqSet{{101, wire.Star}}.Expand(100)); got != "[100]" {
		t.Errorf("101:* over 100 = %s, want [100] (RFC 3501 §6.4.8)", got)
	}
	if got := fmt.Sprint(s.Ranges(8)); got != "[{2 8}]" {
		t.Errorf("Ranges(8) = %s", got)
	}
	for _, c := range []struct {
		s    wire.SeqSet
		max  uint32
		want bool
	}{
		{s, 10, true}, {s, 8, false}, {wire.SeqSet{{wire.Star, wire.Star}}, 0, false},
		{wire.SeqSet{{wire.Star, wire.Star}}, 1, true}, {wire.SeqSet{{1, 3}}, 2, false},
	} {
		if got := c.s.Valid(c.max); got != c.want {
			t.Errorf("%s.Valid(%d) = %v", c.s, c.max, got)
		}
	}
	if !s.Dynamic() || (wire.SeqSet{{1, 2}}).Dynamic() {
		t.Error("Dynamic")
	}
	if got := wire.SeqSetOf([]uint32{7, 1, 2, 3, 0, 5, 6, 9, 3}).String(); got != "1:3,5:7,9" {
		t.Errorf("SeqSetOf = %s", got)
	}
}
