package imap

import (
	"bufio"
	"strings"
	"testing"

	"p9mail/protocol/imap/wire"
)

// TestWriteESearch checks the ESEARCH writer on its own, for SEARCH's
// ascending hits and for the ordered hits a SORT passes (ESORT): ALL and
// PARTIAL keep the order, MIN and MAX are the first and last in it (RFC
// 5267 §3: the lowest and highest sorted message).
func TestWriteESearch(t *testing.T) {
	all := &wire.PartialRange{Start: 2, Stop: 3}
	last := &wire.PartialRange{Start: -1, Stop: -2}
	for _, c := range []struct {
		r    esearchResult
		ret  wire.SearchReturn
		want string
	}{
		{esearchResult{tag: "a", hits: []uint32{1, 2, 3, 5, 7, 8}}, wire.SearchReturn{Min: true, Max: true, All: true, Count: true},
			`* ESEARCH (TAG "a") MIN 1 MAX 8 ALL 1:3,5,7:8 COUNT 6`},
		{esearchResult{tag: "b", uid: true}, wire.SearchReturn{Min: true, Max: true, All: true, Count: true},
			`* ESEARCH (TAG "b") UID COUNT 0`},
		{esearchResult{tag: "c", hits: []uint32{9, 3, 4, 5, 1}, ordered: true}, wire.SearchReturn{Min: true, Max: true, All: true},
			`* ESEARCH (TAG "c") MIN 9 MAX 1 ALL 9,3:5,1`},
		{esearchResult{tag: "d", hits: []uint32{9, 3, 4, 5, 1}, ordered: true}, wire.SearchReturn{Partial: all},
			`* ESEARCH (TAG "d") PARTIAL (2:3 3:4)`},
		{esearchResult{tag: "e", hits: []uint32{9, 3, 4, 5, 1}, ordered: true}, wire.SearchReturn{Partial: last},
			`* ESEARCH (TAG "e") PARTIAL (-1:-2 5,1)`},
		{esearchResult{tag: "f", hits: []uint32{4}}, wire.SearchReturn{Partial: &wire.PartialRange{Start: 2, Stop: 9}},
			`* ESEARCH (TAG "f") PARTIAL (2:9 NIL)`},
		{esearchResult{tag: "g", hits: []uint32{4}}, wire.SearchReturn{Save: true, Context: true}, ``},
		{esearchResult{tag: "h", hits: []uint32{4}}, wire.SearchReturn{Update: true}, `* ESEARCH (TAG "h")`},
	} {
		var b strings.Builder
		w := bufio.NewWriter(&b)
		s := &session{enc: wire.NewEncoder(w)}
		wrote := s.writeESearch(c.r, c.ret)
		if err := s.enc.Flush(); err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSuffix(b.String(), "\r\n")
		if got != c.want || wrote != (c.want != "") {
			t.Errorf("%+v %v: got %q (written %v), want %q", c.r, c.ret, got, wrote, c.want)
		}
	}
}

// TestPartialResolve checks PARTIAL's positions against result lists of
// several lengths (RFC 5267 §4.4, RFC 9394 §3.1).
func TestPartialResolve(t *testing.T) {
	for _, c := range []struct {
		p      wire.PartialRange
		n      int
		lo, hi int
	}{
		{wire.PartialRange{Start: 1, Stop: 1}, 5, 0, 1},
		{wire.PartialRange{Start: 2, Stop: 4}, 5, 1, 4},
		{wire.PartialRange{Start: 1, Stop: 9}, 5, 0, 5},
		{wire.PartialRange{Start: 6, Stop: 6}, 5, 5, 5},
		{wire.PartialRange{Start: 1, Stop: 4294967295}, 0, 0, 0},
		{wire.PartialRange{Start: -1, Stop: -1}, 5, 4, 5},
		{wire.PartialRange{Start: -2, Stop: -3}, 5, 2, 4},
		{wire.PartialRange{Start: -1, Stop: -100}, 5, 0, 5},
		{wire.PartialRange{Start: -6, Stop: -9}, 5, 0, 0},
		{wire.PartialRange{Start: -1, Stop: -4294967295}, 0, 0, 0},
	} {
		if lo, hi := c.p.Resolve(c.n); lo != c.lo || hi != c.hi {
			t.Errorf("%v of %d: [%d,%d), want [%d,%d)", c.p, c.n, lo, hi, c.lo, c.hi)
		}
	}
}
