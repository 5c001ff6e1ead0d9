package message

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate parses a Date field's value (RFC 5322 §3.3, with the
// obsolete forms of §4.3) for SORT's sent date (RFC 5256 §2.2): an
// optional day of the week, day, month, year, hh:mm[:ss] and a zone,
// comments ignored. A two-digit year is 2000+ below 50 and 1900+
// otherwise, a three-digit one 1900+ (§4.3); a missing or unknown zone
// is UTC (§4.3 takes unknown zones as -0000). ok is false when the
// day, month, year or time is missing or out of range.
func ParseDate(v string) (t time.Time, ok bool) {
	v = stripComments(v)
	mon, day, year := -1, -1, -1
	hour, min, sec := -1, -1, 0
	loc := time.UTC
	for _, tok := range strings.Fields(strings.ReplaceAll(v, ",", " ")) {
		switch {
		case strings.Contains(tok, ":"):
			if hour >= 0 {
				return time.Time{}, false
			}
			if hour, min, sec, ok = clock(tok); !ok {
				return time.Time{}, false
			}
		case len(tok) >= 3 && monthIndex(tok) >= 0:
			mon = monthIndex(tok)
		case len(tok) == 5 && (tok[0] == '+' || tok[0] == '-') && digits(tok[1:]):
			loc = numericZone(tok)
		case digits(tok) && day < 0 && mon < 0 && len(tok) <= 2:
			day, _ = strconv.Atoi(tok)
		case digits(tok) && year < 0 && len(tok) >= 2 && len(tok) <= 4 && (day >= 0 || mon >= 0):
			year, _ = strconv.Atoi(tok)
			switch {
			case len(tok) == 2 && year < 50:
				year += 2000
			case len(tok) <= 3:
				year += 1900
			}
		case digits(tok) && day < 0 && len(tok) <= 2:
			day, _ = strconv.Atoi(tok) // "Jan 6 2025"
		default:
			if off, known := zones[strings.ToUpper(tok)]; known {
				loc = time.FixedZone(strings.ToUpper(tok), off*3600)
			}
		}
	}
	if mon < 0 || day < 1 || day > 31 || year < 0 || hour < 0 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mon+1), day, hour, min, sec, 0, loc), true
}

// MessageIDs returns the first max msg-ids of a Message-ID,
// In-Reply-To or References value (RFC 5322 §3.6.4), the last max for
// References when there are more, each without its angle brackets and
// with white space removed: "<" id-left "@" id-right ">". Comments
// and phrases around them are skipped; an id without '@' or with an
// empty side is not valid and is skipped (RFC 5256 §3 REFERENCES 1).
// For Message-ID and In-Reply-To pass max 1: the first valid one.
func MessageIDs(v string, max int) []string {
	v = stripComments(v)
	var out []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i+1:], '>')
		if j < 0 {
			break
		}
		id := strings.Join(strings.Fields(v[i+1:i+1+j]), "")
		v = v[i+1+j+1:]
		at := strings.LastIndexByte(id, '@')
		if at <= 0 || at == len(id)-1 || strings.ContainsAny(id, "<") {
			continue
		}
		out = append(out, id)
		if max == 1 {
			break
		}
	}
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return out
}
