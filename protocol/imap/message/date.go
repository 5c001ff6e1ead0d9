package message

import (
	"strconv"
	"strings"
	"time"
)

// InternalDate parses the date of a message's From line as upasfs
// gives it (spec §1.4 unixdate, info line 5) into INTERNALDATE
// (decision 7): Plan 9's ctime form "Mon Jan  6 10:00:00 2025", or with
// a zone, "Fri Jan  3 08:00:00 GMT 2025" or "... +0100 ...". A date
// without a zone, or with a zone name not known here, is UTC. The
// weekday is ignored. ok is false when the month, day, year or time is
// missing or out of range; the engine then needs another date.
func InternalDate(unixdate string) (t time.Time, ok bool) {
	mon, day, year := -1, -1, -1
	hour, min, sec := -1, -1, 0
	loc := time.UTC
	for _, tok := range strings.Fields(unixdate) {
		switch {
		case strings.Contains(tok, ":"):
			hour, min, sec, ok = clock(tok)
			if !ok {
				return time.Time{}, false
			}
		case monthIndex(tok) >= 0:
			mon = monthIndex(tok)
		case len(tok) == 5 && (tok[0] == '+' || tok[0] == '-') && digits(tok[1:]):
			loc = numericZone(tok)
		case digits(tok) && day < 0 && len(tok) <= 2:
			day, _ = strconv.Atoi(tok)
		case digits(tok) && len(tok) == 4:
			year, _ = strconv.Atoi(tok)
		default:
			if off, known := zones[strings.ToUpper(tok)]; known {
				loc = time.FixedZone(strings.ToUpper(tok), off*3600)
			}
		}
	}
	if mon < 0 || day < 1 || day > 31 || year < 0 || hour < 0 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon+1), day, hour, min, sec, 0, loc), true
}

// clock parses hh:mm[:ss].
func clock(tok string) (h, m, s int, ok bool) {
	f := strings.Split(tok, ":")
	if len(f) < 2 || len(f) > 3 {
		return 0, 0, 0, false
	}
	v := [3]int{}
	for i, x := range f {
		if !digits(x) || len(x) > 2 {
			return 0, 0, 0, false
		}
		v[i], _ = strconv.Atoi(x)
	}
	if v[0] > 23 || v[1] > 59 || v[2] > 60 {
		return 0, 0, 0, false
	}
	return v[0], v[1], v[2], true
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthIndex is 0..11 for a three-letter month name, else -1.
func monthIndex(tok string) int {
	for i, m := range monthNames {
		if strings.EqualFold(tok, m) {
			return i
		}
	}
	return -1
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numericZone is the zone of "+hhmm" or "-hhmm".
func numericZone(tok string) *time.Location {
	h, _ := strconv.Atoi(tok[1:3])
	m, _ := strconv.Atoi(tok[3:5])
	off := (h*60 + m) * 60
	if tok[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off)
}

// zones are the zone names Plan 9's /adm/timezone files and Unix mbox
// writers put in ctime dates, in hours east of UTC.
var zones = map[string]int{
	"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "WET": 0, "BST": 1, "WES": 1,
	"CET": 1, "MET": 1, "CES": 2, "MES": 2, "CEST": 2, "MEST": 2,
	"EET": 2, "EES": 3, "EEST": 3, "MSK": 3, "IST": 5, "JST": 9,
	"AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
	"HST": -10,
}
