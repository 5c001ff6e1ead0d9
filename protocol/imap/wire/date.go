package wire

import (
	"strings"
	"time"
)

var months = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// ExpectDate reads a date, quoted or not (RFC 3501 §9 date:
// 1*2DIGIT "-" date-month "-" 4DIGIT), as midnight UTC of that day: the
// SEARCH keys compare days, disregarding time and zone (§6.4.4).
func (d *Decoder) ExpectDate(t *time.Time) bool {
	quoted := d.consume('"')
	var day, year int
	var month time.Month
	if !d.dateDay(&day, false) || !d.dateRest(&month, &year) {
		return false
	}
	if quoted && !d.expect('"', `closing '"' of date`) {
		return false
	}
	return d.makeDate(t, year, month, day, 0, 0, 0, time.UTC)
}

// ExpectDateTime reads an INTERNALDATE date-time (RFC 3501 §9):
// DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone
// DQUOTE, e.g. "17-Jul-1996 02:44:25 -0700". A day may be two digits,
// space-padded (which Plan 9 wrongly refused, spec §5.3) or, leniently,
// one digit.
func (d *Decoder) ExpectDateTime(t *time.Time) bool {
	if !d.expect('"', `'"' to start date-time`) {
		return false
	}
	var day, year, hour, min, sec int
	var month time.Month
	var zone *time.Location
	if !d.dateDay(&day, true) || !d.dateRest(&month, &year) || !d.ExpectSP() ||
		!d.digits(&hour, 2) || !d.expect(':', `":" in time`) ||
		!d.digits(&min, 2) || !d.expect(':', `":" in time`) ||
		!d.digits(&sec, 2) || !d.ExpectSP() || !d.zone(&zone) ||
		!d.expect('"', `closing '"' of date-time`) {
		return false
	}
	if hour > 23 || min > 59 || sec > 60 {
		return d.fail("invalid time of day")
	}
	return d.makeDate(t, year, month, day, hour, min, sec, zone)
}

// dateDay reads 1*2DIGIT, or with padded also SP DIGIT.
func (d *Decoder) dateDay(day *int, padded bool) bool {
	if padded && d.consume(' ') {
		return d.digits(day, 1)
	}
	if !d.digits(day, 1) {
		return false
	}
	if c, ok := d.peek(); ok && isDigit(c) && d.advance(c) {
		*day = *day*10 + int(c-'0')
	}
	return d.err == nil
}

// dateRest reads "-" date-month "-" date-year; months match
// case-insensitively.
func (d *Decoder) dateRest(month *time.Month, year *int) bool {
	if !d.expect('-', `"-" in date`) {
		return false
	}
	var name [3]byte
	for i := range name {
		c, ok := d.peek()
		if !ok {
			return false
		}
		if c < 'A' || c > 'z' {
			return d.fail("invalid month")
		}
		if !d.advance(c) {
			return false
		}
		name[i] = c
	}
	*month = 0
	for i, mn := range months {
		if strings.EqualFold(string(name[:]), mn) {
			*month = time.Month(i + 1)
		}
	}
	if *month == 0 {
		return d.fail("invalid month %s", quote(string(name[:])))
	}
	return d.expect('-', `"-" in date`) && d.digits(year, 4)
}

// digits reads exactly n digits.
func (d *Decoder) digits(v *int, n int) bool {
	*v = 0
	for i := 0; i < n; i++ {
		c, ok := d.peek()
		if !ok {
			return false
		}
		if !isDigit(c) {
			return d.fail("invalid date")
		}
		if !d.advance(c) {
			return false
		}
		*v = *v*10 + int(c-'0')
	}
	return d.err == nil
}

// zone reads ("+" / "-") 4DIGIT.
func (d *Decoder) zone(loc **time.Location) bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c != '+' && c != '-' {
		return d.fail("invalid time zone")
	}
	if !d.advance(c) {
		return false
	}
	var hh, mm int
	if !d.digits(&hh, 2) || !d.digits(&mm, 2) {
		return false
	}
	if mm > 59 {
		return d.fail("invalid time zone")
	}
	off := (hh*60 + mm) * 60
	if c == '-' {
		off = -off
	}
	*loc = time.FixedZone("", off)
	return true
}

// makeDate builds the time, refusing days the month does not have. A
// leap second (60) rolls over into the next minute.
func (d *Decoder) makeDate(t *time.Time, year int, month time.Month, day, hour, min, sec int, loc *time.Location) bool {
	if day < 1 || time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return d.fail("invalid date")
	}
	*t = time.Date(year, month, day, hour, min, sec, 0, loc)
	return true
}

// dateTimeLayout is the INTERNALDATE form, day space-padded (RFC 3501
// §9 date-time, spec §2.8).
const dateTimeLayout = "_2-Jan-2006 15:04:05 -0700"

// FormatDateTime returns t as an INTERNALDATE without the quotes.
func FormatDateTime(t time.Time) string { return t.Format(dateTimeLayout) }

// FormatDate returns t as a SEARCH date (d-Mon-yyyy).
func FormatDate(t time.Time) string { return t.Format("2-Jan-2006") }
