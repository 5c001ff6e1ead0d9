package testenv

import (
	"strconv"
	"time"
)

// Dates: message i of a mailbox is written about 11 minutes after
// message i-1, starting on Tue, 2 Jan 2024, so a generated mailbox is in
// date order, as a delivered one is.
var baseTime = time.Date(2024, time.January, 2, 9, 0, 0, 0, time.UTC)

var gmt = time.FixedZone("GMT", 0)

// Plan 9 ctime(2) layout with zone, and the Unix asctime one without.
const (
	ctimeLayout   = "Mon Jan _2 15:04:05 MST 2006"
	asctimeLayout = "Mon Jan _2 15:04:05 2006"
)

// writeTime is when message i was written (its Date: header instant).
func writeTime(seed int64, i int) time.Time {
	r := newRNG(seed, i, streamTime)
	return baseTime.Add(time.Duration(i)*11*time.Minute + time.Duration(r.intn(600))*time.Second)
}

// deliveryTime is when message i reached the mailbox: a little after
// it was written (the envelope date and the Received: date).
func deliveryTime(seed int64, i int) time.Time {
	r := newRNG(seed, i, streamTime)
	r.next()
	return writeTime(seed, i).Add(time.Duration(r.between(1, 120)) * time.Second)
}

// Envelope returns the From line (without "\n") of message i of kind k:
// "From <addr> <date>", the date in Plan 9 ctime form, mostly in GMT
// ("From alice@example.com Mon Jan  6 10:00:00 GMT 2025"), sometimes in
// the sender's zone or with no zone (Unix asctime). For NoDateFromLine,
// even i give "From <addr>" (no date) and odd i "From <addr> ???"
// (spec §1.4 unixdate).
func Envelope(seed int64, i int, k Kind) string {
	return string(appendEnvelope(nil, seed, i, k))
}

// appendEnvelope appends Envelope's line, without "\n".
func appendEnvelope(dst []byte, seed int64, i int, k Kind) []byte {
	dst = append(dst, "From "...)
	dst = append(dst, pickPeople(seed, i, k).from.addr...)
	if k == NoDateFromLine {
		if i%2 != 0 {
			dst = append(dst, " ???"...)
		}
		return dst
	}
	dst = append(dst, ' ')
	t := deliveryTime(seed, i)
	r := newRNG(seed, i, streamTime)
	r.next()
	r.next()
	switch n := r.intn(100); {
	case n < 85:
		return t.In(gmt).AppendFormat(dst, ctimeLayout)
	case n < 95:
		return t.UTC().AppendFormat(dst, asctimeLayout)
	default:
		return t.In(pickPeople(seed, i, k).from.zone).AppendFormat(dst, ctimeLayout)
	}
}

// messageIDHosts are the right-hand sides of generated Message-IDs.
var messageIDHosts = []string{"mail.example.com", "example.org",
	"mx.example.net", "plan9.example", "localhost.localdomain"}

// appendMessageID appends the Message-ID of message i, "<...>". It
// depends on (seed, i) only, so replies can cite it.
func appendMessageID(dst []byte, seed int64, i int) []byte {
	h := hash3(seed, i, streamID)
	dst = append(dst, '<')
	dst = strconv.AppendUint(dst, h>>16, 36)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, int64(i), 10)
	dst = append(dst, '@')
	dst = append(dst, messageIDHosts[h%uint64(len(messageIDHosts))]...)
	return append(dst, '>')
}

// parentOf returns the message that message i replies to, or -1. About
// a third of messages reply to one of the 20 before them.
func parentOf(seed int64, i int) int {
	r := newRNG(seed, i, streamThread)
	if i <= 0 || !r.chance(30) {
		return -1
	}
	return i - 1 - r.intn(min(i, 20))
}

// maxReferences bounds the References: chain of a generated message.
const maxReferences = 6

// ancestors returns message i's thread ancestors, oldest first.
func ancestors(seed int64, i int) []int {
	var as []int
	for p := parentOf(seed, i); p >= 0 && len(as) < maxReferences; p = parentOf(seed, p) {
		as = append(as, p)
	}
	for l, r := 0, len(as)-1; l < r; l, r = l+1, r-1 {
		as[l], as[r] = as[r], as[l]
	}
	return as
}
