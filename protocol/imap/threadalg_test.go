package imap

import (
	"strings"
	"testing"
	"time"
)

// tm is a test message: its Message-ID, references (References, or
// In-Reply-To's id), subject and sent day of January 2025 (0: none,
// then INTERNALDATE, the seq-th of February).
type tm struct {
	id, refs, subject string
	day               int
}

func threadOf(alg string, msgs []tm) string {
	ms := make([]sorted, len(msgs))
	for i, m := range msgs {
		k := &sortKey{messageID: m.id, idate: time.Date(2025, 2, i+1, 0, 0, 0, 0, time.UTC).Unix()}
		if m.refs != "" {
			k.parents = strings.Fields(m.refs)
		}
		base, reply := baseSubjectKey(m.subject)
		k.subject, k.reply = base, reply
		if m.day > 0 {
			k.sent, k.hasSent = time.Date(2025, 1, m.day, 0, 0, 0, 0, time.UTC).Unix(), true
		}
		ms[i] = sorted{seq: uint32(i + 1), uid: uint32(10 * (i + 1)), k: k}
	}
	var b strings.Builder
	for _, t := range threadAlgorithms[alg](ms) {
		appendThread(&b, t, false)
	}
	return b.String()
}

// TestThreadReferences checks RFC 5256 §3 REFERENCES rule by rule.
func TestThreadReferences(t *testing.T) {
	for _, c := range []struct {
		name string
		msgs []tm
		want string
	}{
		{"chain", []tm{{"a", "", "x", 1}, {"b", "a", "Re: x", 2}, {"c", "a b", "Re: x", 3}}, "(1 2 3)"},
		{"siblings by date", []tm{{"a", "", "x", 1}, {"b", "a", "y", 3}, {"c", "a", "z", 2}}, "(1 (3)(2))"},
		{"roots by date", []tm{{"a", "", "x", 5}, {"b", "", "y", 3}, {"c", "", "z", 4}}, "(2)(3)(1)"},
		{"equal dates by seq", []tm{{"a", "", "x", 5}, {"b", "", "y", 5}}, "(1)(2)"},
		// 1.A: the References chain is linked, dummies for the absent.
		{"dummy parent of two", []tm{{"b", "gone", "x", 1}, {"c", "gone", "y", 2}}, "((1)(2))"},
		// 4.B: a root dummy of one child is replaced by it.
		{"dummy of one", []tm{{"b", "gone", "x", 1}, {"c", "", "y", 2}}, "(1)(2)"},
		// 4.B: a dummy below the root gives its children to its parent.
		{"inner dummy", []tm{{"a", "", "x", 1}, {"b", "a gone", "y", 2}, {"c", "a gone", "z", 3}}, "(1 (2)(3))"},
		// 1.B: links already made are not changed by later References.
		{"first link stays", []tm{{"c", "a b", "x", 3}, {"d", "z b", "y", 4}, {"a", "", "w", 1}, {"z", "", "v", 2}}, "(3 (1)(2))(4)"},
		// 1.C: the message's own last reference is its parent, over an
		// older guess.
		{"own reference wins", []tm{{"c", "a b", "x", 3}, {"b", "z", "y", 2}, {"a", "", "w", 1}, {"z", "", "v", 4}}, "(3)(4 2 1)"},
		// No loops: a link that would make one is not made (the earlier
		// one, 1 under 2, stays).
		{"loop", []tm{{"a", "b", "x", 1}, {"b", "a", "y", 2}}, "(2 1)"},
		{"self reference", []tm{{"a", "a", "x", 1}}, "(1)"},
		// 1.A: a duplicate Message-ID is the first message's only.
		{"duplicate id", []tm{{"a", "", "x", 1}, {"a", "", "y", 2}, {"b", "a", "z", 3}}, "(1 3)(2)"},
		{"no id", []tm{{"", "", "x", 1}, {"", "", "y", 2}}, "(1)(2)"},
		// 6: same base subject, no references.
		{"reply joins original", []tm{{"a", "", "x", 1}, {"b", "", "Re: x", 2}}, "(1 2)"},
		{"original misordered", []tm{{"b", "", "Re: x", 1}, {"a", "", "x", 2}}, "(2 1)"},
		{"two originals: siblings", []tm{{"a", "", "x", 1}, {"b", "", "x", 2}}, "((1)(2))"},
		{"two replies: siblings", []tm{{"a", "", "Re: x", 1}, {"b", "", "Re: x", 2}}, "((1)(2))"},
		{"into a dummy", []tm{{"b", "gone", "x", 1}, {"c", "gone", "x", 2}, {"d", "", "Re: x", 3}}, "((1)(2)(3))"},
		{"two dummies", []tm{{"b", "g1", "x", 1}, {"c", "g1", "x", 2}, {"d", "g2", "x", 3}, {"e", "g2", "x", 4}}, "((1)(2)(3)(4))"},
		{"empty subjects stay apart", []tm{{"a", "", "", 1}, {"b", "", "Re:", 2}}, "(1)(2)"},
		{"case folded", []tm{{"a", "", "Hello", 1}, {"b", "", "re: HELLO", 2}}, "(1 2)"},
		{"no date: INTERNALDATE", []tm{{"a", "", "x", 0}, {"b", "", "y", 31}}, "(2)(1)"},
	} {
		if got := threadOf("REFERENCES", c.msgs); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

// TestThreadRefs: REFS does not merge subjects and orders threads by
// their latest message.
func TestThreadRefs(t *testing.T) {
	msgs := []tm{{"a", "", "x", 1}, {"b", "", "y", 2}, {"c", "a", "Re: x", 5}, {"d", "", "Re: y", 3}}
	if got, want := threadOf("REFS", msgs), "(2)(4)(1 3)"; got != want {
		t.Errorf("REFS: got %s, want %s", got, want)
	}
	if got, want := threadOf("REFERENCES", msgs), "(1 3)(2 4)"; got != want {
		t.Errorf("REFERENCES: got %s, want %s", got, want)
	}
}

// TestThreadOrderedSubject: runs of a base subject, the first message
// the parent of the rest, threads by their first message's date.
func TestThreadOrderedSubject(t *testing.T) {
	msgs := []tm{{"", "", "b", 5}, {"", "", "Re: a", 3}, {"", "", "a", 4}, {"", "", "A", 6}, {"", "", "c", 1}, {"", "", "Re: b", 2}}
	if got, want := threadOf("ORDEREDSUBJECT", msgs), "(5)(6 1)(2 (3)(4))"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSortKeyRecord(t *testing.T) {
	k := &sortKey{sent: -5, hasSent: true, idate: 1 << 40, size: 12345, reply: true,
		subject: "CAFé", from: "BOB", to: "", cc: "X", displayFrom: "ANN", displayTo: "Z@Y",
		messageID: "a@b", parents: []string{"c@d", "e@f"}}
	b := k.marshal()
	got, err := unmarshalSortKey(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.marshal()) != string(b) {
		t.Fatalf("round trip: %+v, want %+v", got, k)
	}
	for i := range b {
		if _, err := unmarshalSortKey(b[:i]); err == nil {
			t.Errorf("a record cut to %d bytes decodes", i)
		}
	}
}

// FuzzSortKeyRecord: a sort index record decodes or fails, never
// panics, and what decodes encodes back the same.
func FuzzSortKeyRecord(f *testing.F) {
	f.Add((&sortKey{subject: "x", parents: []string{"a@b"}}).marshal())
	f.Add([]byte{sortKeyVersion, 3, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := unmarshalSortKey(b)
		if err != nil {
			return
		}
		if again, err := unmarshalSortKey(k.marshal()); err != nil || string(again.marshal()) != string(k.marshal()) {
			t.Fatalf("record %x does not round-trip", b)
		}
	})
}
