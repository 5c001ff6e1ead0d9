package imap

import (
	"fmt"
	"math/bits"
	"slices"
)

// Keywords (RFC 3501 §2.3.2) persist in the mailbox's state file
// (decision 8, statefile.go), which numbers them; a message holds its
// keywords as bits of those numbers, 8 bytes per 64 keywords, so that
// their memory is bounded by the limits: at most Config.MaxKeywords
// names a mailbox and Config.MaxMessageKeywords per message (a STORE of
// 7,000 fresh names on 2,000 messages used to take gigabytes).

// Defaults of the keyword limits.
const (
	// DefaultMaxKeywords: Cyrus allows 128 per mailbox; Thunderbird's
	// tags, $Junk/$NotJunk, $Forwarded and $MDNSent use a dozen.
	DefaultMaxKeywords = 256
	// DefaultMaxMessageKeywords bounds the keywords of one message.
	DefaultMaxMessageKeywords = 64
)

// keywordSet is a message's keywords as bits of its mailbox's
// keyword numbers.
type keywordSet []uint64

func (k keywordSet) has(i int) bool { return i >= 0 && i/64 < len(k) && k[i/64]&(1<<(i%64)) != 0 }

func (k *keywordSet) set(i int) {
	for len(*k) <= i/64 {
		*k = append(*k, 0)
	}
	(*k)[i/64] |= 1 << (i % 64)
}

func (k keywordSet) unset(i int) {
	if i/64 < len(k) {
		k[i/64] &^= 1 << (i % 64)
	}
}

func (k keywordSet) count() int {
	n := 0
	for _, w := range k {
		n += bits.OnesCount64(w)
	}
	return n
}

// numbers lists the keywords' numbers, ascending.
func (k keywordSet) numbers() []uint16 {
	var out []uint16
	for wi, w := range k {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, uint16(wi*64+b))
			w &^= 1 << b
		}
	}
	return out
}

func (k keywordSet) equal(o keywordSet) bool {
	return slices.Equal(k.numbers(), o.numbers())
}

// renumber maps each keyword number i to to[i] (dropped when -1 or out
// of to's range); a nil to leaves k as it is.
func (k keywordSet) renumber(to []int) keywordSet {
	if to == nil {
		return k
	}
	var out keywordSet
	for _, i := range k.numbers() {
		if int(i) < len(to) && to[i] >= 0 {
			out.set(to[i])
		}
	}
	return out
}

// names appends the keywords of k to fl.
func (k keywordSet) names(kwNames []string, fl []string) []string {
	for i, name := range kwNames {
		if k.has(i) {
			fl = append(fl, name)
		}
	}
	return fl
}

// kwNames are the mailbox's keywords, by number.
func (mb *mailbox) kwNames() []string {
	if mb.st == nil {
		return nil
	}
	return mb.st.Keywords
}

// keyword returns the number of a keyword used in mb.
func (mb *mailbox) keyword(name string) (int, bool) {
	i := slices.Index(mb.kwNames(), name)
	return i, i >= 0
}

// keywordsFit checks that setting names on the targets (added to what
// each has when add, else in place of it) leaves none with more than
// max keywords.
func (mb *mailbox) keywordsFit(targets []target, names []string, add bool, max int) error {
	for _, t := range targets {
		n := len(names)
		if add {
			n = t.m.keywords.count()
			for _, name := range names {
				if i, ok := mb.keyword(name); !ok || !t.m.keywords.has(i) {
					n++
				}
			}
		}
		if n > max && !t.m.Expunged {
			return fmt.Errorf("too many keywords on message %d (limit %d)", t.seq, max)
		}
	}
	return nil
}

// addKeywords numbers the names mb does not know yet, unless that would
// take it past max (then it changes nothing); it reports whether any
// was new. It runs inside commit, after the state file was read, so the
// numbers are the file's. Callers answer an error with NO [LIMIT]
// (RFC 5530 §3).
func (mb *mailbox) addKeywords(names []string, max int) (bool, error) {
	var fresh []string
	for _, n := range names {
		if _, ok := mb.keyword(n); !ok && !slices.Contains(fresh, n) {
			fresh = append(fresh, n)
		}
	}
	if len(mb.kwNames())+len(fresh) > max {
		return false, fmt.Errorf("too many keywords in this mailbox (limit %d)", max)
	}
	for _, n := range fresh {
		if _, ok := mb.st.Keyword(n, max); !ok {
			return false, fmt.Errorf("keyword %q cannot be stored", n)
		}
	}
	return len(fresh) > 0, nil
}
