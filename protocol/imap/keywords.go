package imap

import (
	"fmt"
	"math/bits"
)

// Keywords (RFC 3501 §2.3.2) are session-only (decision 8 as the code
// stands; the state file of the mailbox layer will keep them). Each
// mailbox numbers the keywords used in it (kwNames); a message holds
// them as bits, 8 bytes per 64 keywords, so that their memory is
// bounded by the limits: at most Config.MaxKeywords names a mailbox
// and Config.MaxMessageKeywords per message (a STORE of 7,000 fresh
// names on 2,000 messages used to take gigabytes).

// Defaults of the keyword limits.
const (
	// DefaultMaxKeywords: Cyrus allows 128 per mailbox; Thunderbird's
	// tags, $Junk/$NotJunk, $Forwarded and $MDNSent use a dozen.
	DefaultMaxKeywords = 256
	// DefaultMaxMessageKeywords bounds the keywords of one message.
	DefaultMaxMessageKeywords = 64
)

// keywordSet is a message's keywords as bits of its mailbox's kwNames.
type keywordSet []uint64

func (k keywordSet) has(i int) bool { return i/64 < len(k) && k[i/64]&(1<<(i%64)) != 0 }

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

// names appends the keywords of k to fl.
func (k keywordSet) names(kwNames []string, fl []string) []string {
	for i, name := range kwNames {
		if k.has(i) {
			fl = append(fl, name)
		}
	}
	return fl
}

// keyword returns the number of a keyword used in mb.
func (mb *mailbox) keyword(name string) (int, bool) {
	i, ok := mb.kwIndex[name]
	return i, ok
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
// was new. Callers answer an error with NO [LIMIT] (RFC 5530 §3).
func (mb *mailbox) addKeywords(names []string, max int) (bool, error) {
	var fresh []string
	for _, n := range names {
		if _, ok := mb.kwIndex[n]; !ok {
			fresh = append(fresh, n)
		}
	}
	if len(mb.kwNames)+len(fresh) > max {
		return false, fmt.Errorf("too many keywords in this mailbox (limit %d)", max)
	}
	for _, n := range fresh {
		if _, ok := mb.kwIndex[n]; ok {
			continue // named twice in one STORE
		}
		if mb.kwIndex == nil {
			mb.kwIndex = map[string]int{}
		}
		mb.kwIndex[n] = len(mb.kwNames)
		mb.kwNames = append(mb.kwNames, n)
	}
	return len(fresh) > 0, nil
}
