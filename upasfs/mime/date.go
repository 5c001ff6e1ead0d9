package mime

import (
	"bytes"
	"strings"
	"time"
)

// epoch is what upasfs writes when it knows no date (spec §1.4 unixheader).
const epoch = "Thu Jan  1 00:00:00 GMT 1970"

// parseUnix splits an mbox From line ("From <sender> <date>") into the
// sender and the date, as 4e's parseunix does: the sender is the first
// field (a quoted one loses its quotes), the date is the rest after the
// blanks that follow it. The sender is absent when the line has nothing
// after "From ".
func parseUnix(l []byte) (from, date opt) {
	l = l[len("From "):]
	if i := bytes.IndexAny(l, "\r\n"); i >= 0 {
		l = l[:i]
	}
	if len(l) == 0 {
		return opt{}, opt{"", true}
	}
	var i int
	if q := l[0]; q == '\'' || q == '"' {
		i = 1
		for i < len(l) && l[i] != q {
			i++
		}
		from = opt{string(l[1:i]), true}
		if i < len(l) {
			i++
		}
	} else {
		for i < len(l) && !isUnixSpace(l[i]) {
			i++
		}
		from = opt{string(l[:i]), true}
	}
	for i < len(l) && isUnixSpace(l[i]) {
		i++
	}
	return from, opt{string(l[i:]), true}
}

// isUnixSpace is libString's notion of white space.
func isUnixSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// usableDate reports whether a From-line date stands as unixdate (spec
// §1.4 unixdate). As in 4e's parseheaders, only a missing date, "???"
// and the epoch spelt "Thu Jan 1 00:00:00 GMT 1970" (one space, unlike
// the epoch constant) are replaced: an empty date after the sender stays
// empty, and so does 4e's own epoch (plan9port upas/fs agrees).
func usableDate(d opt) bool {
	switch d.s {
	case "???", "Thu Jan 1 00:00:00 GMT 1970":
		return false
	}
	return d.ok
}

// synthDate makes a unixdate from the first Received: field's date (the
// text after its ';'), else from Date: (spec §1.4 unixdate).
func synthDate(h *hdr) opt {
	if h.received.ok {
		if d, ok := dateToUnix(h.received.s); ok {
			return opt{d, true}
		}
	}
	if h.date.ok {
		if d, ok := dateToUnix(h.date.s); ok {
			return opt{d, true}
		}
	}
	return opt{}
}

// dateToUnix turns a loosely RFC 822 date into Plan 9's ctime form in GMT
// ("Fri Jan  3 08:00:00 GMT 2025"), with the heuristics of 4e's strtotm:
// a token with ':' is the time, one starting with a month name the
// month, "+hhmm"/"-hhmm" the zone, a number 1..31 the day and one of
// 1900 or more the year; anything else is ignored. Named zones count as
// GMT. ok is false without a month, year, time and day.
func dateToUnix(s string) (string, bool) {
	mon, year, mday, hour, min, sec := -1, -1, -1, -1, -1, 0
	delta := 0
	for _, tok := range strings.FieldsFunc(s, isDateSpace) {
		if i := strings.IndexByte(tok, ':'); i >= 0 {
			hour, min = atoiPrefix(tok), atoiPrefix(tok[i+1:])
			sec = 0
			if j := strings.IndexByte(tok[i+1:], ':'); j >= 0 {
				sec = atoiPrefix(tok[i+1+j+1:])
			}
			continue
		}
		if m := monthOf(tok); m >= 0 {
			mon = m
			continue
		}
		if d, ok := numericZone(tok); ok {
			delta = d
			continue
		}
		if allDigits(tok) {
			j := atoiPrefix(tok)
			if 1 <= j && j <= 31 {
				mday = j
			}
			if j >= 1900 {
				year = j
			}
		}
	}
	if mon < 0 || year < 0 || hour < 0 || min < 0 || mday < 0 {
		return "", false
	}
	t := time.Date(year, time.Month(mon+1), mday, hour, min, sec, 0, time.UTC)
	t = t.Add(-time.Duration(delta) * time.Second)
	if t.Year() < 1000 || t.Year() > 9999 {
		return "", false
	}
	return t.Format("Mon Jan _2 15:04:05 GMT 2006"), true
}

func isDateSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

var months = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthOf is the month (0..11) whose name begins tok, or -1.
func monthOf(tok string) int {
	if len(tok) < 3 {
		return -1
	}
	for i, m := range months {
		if strings.EqualFold(tok[:3], m) {
			return i
		}
	}
	return -1
}

// numericZone reads "+hhmm" or "-hhmm" as seconds east of GMT.
func numericZone(tok string) (int, bool) {
	if len(tok) != 5 || tok[0] != '+' && tok[0] != '-' || !allDigits(tok[1:]) {
		return 0, false
	}
	d := ((int(tok[1]-'0')*10+int(tok[2]-'0'))*60 + int(tok[3]-'0')*10 + int(tok[4]-'0')) * 60
	if tok[0] == '-' {
		d = -d
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// atoiPrefix is C's strtol(s, 0, 10) with the result kept in a sane
// range: leading blanks, a sign, then digits; 0 if there are none.
func atoiPrefix(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if n < 1e9 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}
