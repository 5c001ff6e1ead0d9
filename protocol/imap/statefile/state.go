// Package statefile is the IMAP state Plan 9's .imp has no room for (decision
// 8, docs/architecture.md "State beyond .imp"): per mailbox, the
// keywords of each message and the mailbox's keyword list, a
// mod-sequence per message and the highest one (RFC 7162 §3.1.1), and
// the UIDs expunged since each mod-sequence (what QRESYNC's VANISHED
// needs, RFC 7162 §3.2.5).
//
// The file lives beside the mailbox as <mailbox>.imp.imp: its name ends
// in .imp, so Plan 9's imap4d never lists it (its stop-list, spec §2.4),
// and no mailbox can have it as its .imp, since mailbox names ending in
// .imp are refused. It is text, one record a line:
//
//	p9mail-state 1 <uidvalidity> <highestmodseq> <floor>
//	k <keyword>                      the mailbox's keywords, numbered 0, 1, ... in order
//	m <uid> <modseq> <flags> <kw>    a message: its .imp flags as last seen (imp.Flags,
//	                                 decimal) and keyword numbers ("-" for none, else n,n,...)
//	x <modseq> <uids>                UIDs expunged at modseq, as ranges a:b,c
//	sum <sha256 of all lines before, hex>
//
// Messages are in ascending UID order, expunges in ascending
// mod-sequence order; the history of expunges is complete for
// mod-sequences above floor. A file that does not parse, or whose sum
// is wrong, is not used (Parse's error): the caller starts afresh from
// the .imp, which stays the truth for UIDs and system flags.
package statefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"p9mail/protocol/imap/imp"
)

// Version is the format's version in the header line.
const Version = 1

// Limits Parse enforces, so that a garbled or hostile file cannot make
// a session allocate without bound.
const (
	MaxKeywords    = 1 << 12 // keyword lines
	MaxKeywordLen  = 256     // bytes of one keyword
	MaxMsgKeywords = 1 << 10 // keywords on one message
	MaxFile        = 1 << 28 // bytes of the whole file
)

// A File is a mailbox's state.
type File struct {
	UIDValidity   uint32
	HighestModSeq uint64
	Floor         uint64 // expunges are recorded for mod-sequences above it
	Keywords      []string
	Msgs          []Msg     // ascending UID
	Expunged      []Expunge // ascending ModSeq
}

// A Msg is one message's state.
type Msg struct {
	UID      uint32
	ModSeq   uint64
	Flags    imp.Flags // the system flags the .imp had when ModSeq was given
	Keywords []uint16  // numbers into File.Keywords, ascending
}

// An Expunge is the UIDs expunged at one mod-sequence, ascending.
type Expunge struct {
	ModSeq uint64
	UIDs   []uint32
}

// ErrBad is wrapped by every error Parse returns.
var ErrBad = errors.New("bad state file")

func bad(line int, format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrBad, line, fmt.Sprintf(format, args...))
}

// Parse reads a state file, checking its sum, its order and its bounds.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("%w: %d bytes", ErrBad, len(data))
	}
	body, sum, ok := cutSum(data)
	if !ok {
		return nil, fmt.Errorf("%w: no sum line", ErrBad)
	}
	if want := sha256.Sum256(body); sum != hex.EncodeToString(want[:]) {
		return nil, fmt.Errorf("%w: sum mismatch", ErrBad)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	// Nearly every line is a message: one allocation for them all.
	f := &File{Msgs: make([]Msg, 0, len(lines))}
	if err := f.header(lines[0]); err != nil {
		return nil, err
	}
	for i, l := range lines[1:] {
		n := i + 2
		kind, rest, _ := strings.Cut(l, " ")
		var err error
		switch kind {
		case "k":
			err = f.keyword(n, rest)
		case "m":
			err = f.msg(n, rest)
		case "x":
			err = f.expunge(n, rest)
		default:
			err = bad(n, "unknown record %q", kind)
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// cutSum splits off the last line, "sum <hex>\n".
func cutSum(data []byte) (body []byte, sum string, ok bool) {
	if !bytes.HasSuffix(data, []byte("\n")) {
		return nil, "", false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n')
	if i < 0 {
		return nil, "", false
	}
	last := string(data[i+1 : len(data)-1])
	sum, ok = strings.CutPrefix(last, "sum ")
	return data[:i+1], sum, ok && len(sum) == 2*sha256.Size
}

func (f *File) header(l string) error {
	fields := strings.Split(l, " ")
	if len(fields) != 5 || fields[0] != "p9mail-state" || fields[1] != strconv.Itoa(Version) {
		return bad(1, "header %q", l)
	}
	v, err1 := strconv.ParseUint(fields[2], 10, 32)
	h, err2 := strconv.ParseUint(fields[3], 10, 63)
	fl, err3 := strconv.ParseUint(fields[4], 10, 63)
	if err := errors.Join(err1, err2, err3); err != nil || fl > h {
		return bad(1, "header %q", l)
	}
	f.UIDValidity, f.HighestModSeq, f.Floor = uint32(v), h, fl
	return nil
}

func (f *File) keyword(n int, k string) error {
	switch {
	case len(f.Msgs) > 0 || len(f.Expunged) > 0:
		return bad(n, "keyword after messages")
	case len(f.Keywords) >= MaxKeywords:
		return bad(n, "more than %d keywords", MaxKeywords)
	case !ValidKeyword(k):
		return bad(n, "keyword %q", k)
	}
	f.Keywords = append(f.Keywords, k)
	return nil
}

// ValidKeyword reports whether k can be a keyword in the file: an IMAP
// atom (RFC 3501 §9 flag-keyword) of at most MaxKeywordLen bytes.
func ValidKeyword(k string) bool {
	if k == "" || len(k) > MaxKeywordLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

func (f *File) msg(n int, rest string) error {
	var fields [4]string
	s := rest
	for i := range fields {
		var ok bool
		if i < 3 {
			fields[i], s, ok = strings.Cut(s, " ")
		} else {
			fields[i], ok = s, !strings.Contains(s, " ")
		}
		if !ok {
			return bad(n, "message %q", rest)
		}
	}
	uid, err1 := strconv.ParseUint(fields[0], 10, 32)
	ms, err2 := strconv.ParseUint(fields[1], 10, 63)
	fl, err3 := strconv.ParseUint(fields[2], 10, 8)
	if errors.Join(err1, err2, err3) != nil || uid == 0 || ms > f.HighestModSeq || imp.Flags(fl)&^imp.System != 0 {
		return bad(n, "message %q", rest)
	}
	if k := len(f.Msgs); k > 0 && f.Msgs[k-1].UID >= uint32(uid) || len(f.Expunged) > 0 {
		return bad(n, "message %d out of order", uid)
	}
	m := Msg{UID: uint32(uid), ModSeq: ms, Flags: imp.Flags(fl)}
	if fields[3] != "-" {
		for _, s := range strings.Split(fields[3], ",") {
			k, err := strconv.ParseUint(s, 10, 16)
			switch {
			case err != nil || int(k) >= len(f.Keywords):
				return bad(n, "keyword number %q", s)
			case len(m.Keywords) > 0 && m.Keywords[len(m.Keywords)-1] >= uint16(k):
				return bad(n, "keyword numbers out of order")
			case len(m.Keywords) >= MaxMsgKeywords:
				return bad(n, "more than %d keywords", MaxMsgKeywords)
			}
			m.Keywords = append(m.Keywords, uint16(k))
		}
	}
	f.Msgs = append(f.Msgs, m)
	return nil
}

func (f *File) expunge(n int, rest string) error {
	ms, set, ok := strings.Cut(rest, " ")
	v, err := strconv.ParseUint(ms, 10, 63)
	if !ok || err != nil || v <= f.Floor || v > f.HighestModSeq {
		return bad(n, "expunge %q", rest)
	}
	if k := len(f.Expunged); k > 0 && f.Expunged[k-1].ModSeq >= v {
		return bad(n, "expunge at %d out of order", v)
	}
	uids, err := parseRanges(set, MaxFile)
	if err != nil {
		return bad(n, "%v", err)
	}
	f.Expunged = append(f.Expunged, Expunge{ModSeq: v, UIDs: uids})
	return nil
}

// parseRanges reads "a:b,c,..." ascending, at most max UIDs.
func parseRanges(s string, max int) ([]uint32, error) {
	var uids []uint32
	for _, r := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(r, ":")
		a, err1 := strconv.ParseUint(lo, 10, 32)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 32)
		}
		if errors.Join(err1, err2) != nil || a == 0 || b < a ||
			len(uids) > 0 && uint32(a) <= uids[len(uids)-1] || len(uids)+int(b-a+1) > max {
			return nil, fmt.Errorf("uid range %q", r)
		}
		for u := a; u <= b; u++ {
			uids = append(uids, uint32(u))
		}
	}
	return uids, nil
}

// Marshal writes f in the file's format, with its sum.
func (f *File) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "p9mail-state %d %d %d %d\n", Version, f.UIDValidity, f.HighestModSeq, f.Floor)
	for _, k := range f.Keywords {
		b.WriteString("k " + k + "\n")
	}
	for _, m := range f.Msgs {
		fmt.Fprintf(&b, "m %d %d %d ", m.UID, m.ModSeq, m.Flags)
		if len(m.Keywords) == 0 {
			b.WriteByte('-')
		}
		for i, k := range m.Keywords {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(k)))
		}
		b.WriteByte('\n')
	}
	for _, x := range f.Expunged {
		fmt.Fprintf(&b, "x %d %s\n", x.ModSeq, ranges(x.UIDs))
	}
	return f.sum(b.Bytes())
}

// sum appends the sum line to body.
func (*File) sum(body []byte) []byte {
	s := sha256.Sum256(body)
	return append(body, "sum "+hex.EncodeToString(s[:])+"\n"...)
}

// ranges writes ascending uids as "a:b,c".
func ranges(uids []uint32) string {
	var b strings.Builder
	for i := 0; i < len(uids); {
		j := i
		for j+1 < len(uids) && uids[j+1] == uids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(uids[i]), 10))
		if j > i {
			b.WriteString(":" + strconv.FormatUint(uint64(uids[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}
