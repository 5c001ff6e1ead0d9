package wire

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Star stands for "*" in a SeqRange: the largest number in use (RFC
// 3501 §9 seq-number), resolved by the methods that take largest.
const Star uint32 = 0

// SeqRange is "n", "n:m" or a "*" form; Start may exceed Stop ("4:2"
// equals "2:4", RFC 3501 §9 seq-range). "n" has Start == Stop.
type SeqRange struct{ Start, Stop uint32 }

// SeqSet is a sequence-set (RFC 3501 §9) as sent, "*" kept symbolic.
// The same type holds message sequence numbers and UIDs; for UIDs, largest
// is the largest UID in use and numbers that name no message are simply
// absent (RFC 3501 §6.4.8).
type SeqSet []SeqRange

// resolve returns the range with "*" as largest, low end first.
func (r SeqRange) resolve(largest uint32) (lo, hi uint32) {
	lo, hi = r.Start, r.Stop
	if lo == Star {
		lo = largest
	}
	if hi == Star {
		hi = largest
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// Contains reports whether the set names n, "*" standing for largest.
func (s SeqSet) Contains(n, largest uint32) bool {
	for _, r := range s {
		if lo, hi := r.resolve(largest); lo <= n && n <= hi {
			return true
		}
	}
	return false
}

// Valid reports whether every number the set names lies in 1..largest, as
// a set of message sequence numbers must (RFC 3501 §9 seq-number: a
// number beyond the mailbox is an error; spec §2.11). With largest == 0
// nothing is valid, "*" included.
func (s SeqSet) Valid(largest uint32) bool {
	for _, r := range s {
		if lo, hi := r.resolve(largest); lo < 1 || hi > largest {
			return false
		}
	}
	return true
}

// Ranges returns the set resolved against largest, clipped to 1..largest,
// sorted and merged: disjoint ranges with Start <= Stop, none Star.
func (s SeqSet) Ranges(largest uint32) []SeqRange {
	var out []SeqRange
	for _, r := range s {
		lo, hi := r.resolve(largest)
		lo, hi = max(lo, 1), min(hi, largest)
		if lo <= hi {
			out = append(out, SeqRange{lo, hi})
		}
	}
	slices.SortFunc(out, func(a, b SeqRange) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && uint64(r.Start) <= uint64(merged[n-1].Stop)+1 {
			merged[n-1].Stop = max(merged[n-1].Stop, r.Stop)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// Expand returns the numbers in 1..largest the set names, ascending, each
// once: at most largest numbers. For UID sets, where largest may be large,
// prefer testing each message with Contains.
func (s SeqSet) Expand(largest uint32) []uint32 {
	var out []uint32
	for _, r := range s.Ranges(largest) {
		for n := r.Start; ; n++ {
			out = append(out, n)
			if n == r.Stop {
				break
			}
		}
	}
	return out
}

// Dynamic reports whether the set uses "*".
func (s SeqSet) Dynamic() bool {
	for _, r := range s {
		if r.Start == Star || r.Stop == Star {
			return true
		}
	}
	return false
}

// String returns the set in IMAP syntax, e.g. "1:3,5,7:*".
func (s SeqSet) String() string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		writeSeqNum(&b, r.Start)
		if r.Stop != r.Start {
			b.WriteByte(':')
			writeSeqNum(&b, r.Stop)
		}
	}
	return b.String()
}

func writeSeqNum(b *strings.Builder, n uint32) {
	if n == Star {
		b.WriteByte('*')
		return
	}
	b.WriteString(strconv.FormatUint(uint64(n), 10))
}

// SeqSetOf returns the shortest set naming exactly nums (for COPYUID and
// the like, RFC 4315 §3); zeros are left out.
func SeqSetOf(nums []uint32) SeqSet {
	var s SeqSet
	for _, n := range nums {
		if n != 0 {
			s = append(s, SeqRange{n, n})
		}
	}
	return SeqSet(s.Ranges(^uint32(0)))
}

// ExpectSeqSet reads a sequence-set of message sequence numbers (RFC
// 3501 §9); 0 is an error.
func (d *Decoder) ExpectSeqSet(s *SeqSet) bool { return d.seqSet(s, false) }

// ExpectUIDSet reads a sequence-set of UIDs. As Plan 9's imap4d did, 0
// is accepted at one end of a range and read as 1, so "0:*" means all
// (spec §5.12); a lone 0 is still an error.
func (d *Decoder) ExpectUIDSet(s *SeqSet) bool { return d.seqSet(s, true) }

func (d *Decoder) seqSet(s *SeqSet, uid bool) bool {
	var set SeqSet
	for {
		var r SeqRange
		var zeroStart, zeroStop bool
		if !d.seqNumber(&r.Start, &zeroStart) {
			return false
		}
		r.Stop, zeroStop = r.Start, zeroStart
		if d.consume(':') && !d.seqNumber(&r.Stop, &zeroStop) {
			return false
		}
		if zeroStart || zeroStop {
			if !uid || zeroStart && zeroStop {
				return d.fail("invalid sequence number 0")
			}
			r = zeroToOne(r, zeroStart)
		}
		set = append(set, r)
		if !d.consume(',') {
			*s = set
			return d.err == nil
		}
	}
}

func zeroToOne(r SeqRange, start bool) SeqRange {
	if start {
		r.Start = 1
	} else {
		r.Stop = 1
	}
	return r
}

// seqNumber reads nz-number or "*"; *zero reports a 0 read.
func (d *Decoder) seqNumber(n *uint32, zero *bool) bool {
	if d.consume('*') {
		*n, *zero = Star, false
		return true
	}
	if c, ok := d.peek(); ok && !isDigit(c) {
		return d.fail("expected sequence set")
	}
	var v uint32
	if !d.ExpectNumber(&v) {
		return false
	}
	*n, *zero = v, v == 0
	return true
}
