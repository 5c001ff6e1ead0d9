package imap

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"p9mail/protocol"
	"p9mail/protocol/imap/wire"
)

// sortCapabilities are announced in every state (RFC 5256 §1, RFC 5957
// §2, RFC 5255 §4.1: base subjects and i;ascii-casemap as RFC 5256
// requires are I18NLEVEL=1).
var sortCapabilities = []string{"SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "THREAD=REFS", "I18NLEVEL=1"}

// sortCmd runs SORT and UID SORT (RFC 5256 §3, RFC 5957): the search
// program as SEARCH reads and runs it (search.go), its hits ordered
// by the criteria over each message's sortKey (sortkey.go), ties in
// sequence order (RFC 5256 §3).
func (s *session) sortCmd(tag, cmd string, uid bool) error {
	var req wire.Sort
	if !s.dec.ExpectSP() || !s.dec.ExpectSort(&req) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if err := s.checkProgram(cmd, req.Search); err != nil {
		return err
	}
	var hits []uint32
	err := s.withHangup(uid, func(ctx context.Context) (err error) {
		hits, err = s.sortHits(ctx, req, uid)
		return err
	})
	if err != nil {
		return s.workError(cmd, err)
	}
	s.enc.Atom("* SORT")
	for _, h := range hits {
		s.enc.SP().Number(h)
	}
	s.enc.CRLF()
	return nil
}

// errGone is withHangup's error when the client hung up meanwhile.
var errGone = errors.New("client gone")

// checkProgram checks a SORT or THREAD program's charset (RFC 5256 §3:
// NO [BADCHARSET] for one the server does not support) and its size
// (as SEARCH's, NO [LIMIT]).
func (s *session) checkProgram(cmd string, prog wire.Search) error {
	switch strings.ToUpper(prog.Charset) {
	case "UTF-8", "US-ASCII":
	default:
		return no(`BADCHARSET ("UTF-8" "US-ASCII")`, cmd+" unsupported charset")
	}
	if n := countKeys(prog.Keys); n > s.cfg.MaxSearchKeys {
		return no("LIMIT", fmt.Sprintf("%s too many search keys (%d, limit %d)", cmd, n, s.cfg.MaxSearchKeys))
	}
	return nil
}

// withHangup brings the mailbox up to date as SEARCH does, then runs
// work with a context that ends when the client hangs up.
func (s *session) withHangup(uid bool, work func(ctx context.Context) error) error {
	s.update(uid)
	s.flush()
	ctx, stop := protocol.WatchHangup(context.Background(), s.conn, s.r)
	err := work(ctx)
	if stop() {
		s.state = logout // the client has gone: nobody to answer
		return errGone
	}
	return err
}

// workError is the reply for withHangup's error.
func (s *session) workError(cmd string, err error) error {
	if err == errGone {
		return errNoReply
	}
	return no("", cmd+" failed: "+err.Error())
}

// sorted is a message of a SORT or THREAD with its keys.
type sorted struct {
	seq, uid uint32
	k        *sortKey
}

// sortedHits returns the messages that match prog with their keys,
// in sequence order.
func (s *session) sortedHits(ctx context.Context, prog wire.Search) ([]sorted, error) {
	seqs, err := s.searchHits(ctx, prog, false)
	if err != nil {
		return nil, err
	}
	msgs := make([]*msg, len(seqs))
	for i, seq := range seqs {
		msgs[i] = s.sel.msgs[seq-1]
	}
	keys, err := s.sortKeys(ctx, msgs)
	if err != nil {
		return nil, err
	}
	out := make([]sorted, len(seqs))
	for i, seq := range seqs {
		out[i] = sorted{seq: seq, uid: msgs[i].UID, k: keys[i]}
	}
	return out, nil
}

// sortHits returns SORT's result: the sequence numbers (UIDs if uid)
// of the matching messages in order. ESORT and CONTEXT=SORT (RFC
// 5267) would take this slice.
func (s *session) sortHits(ctx context.Context, req wire.Sort, uid bool) ([]uint32, error) {
	ms, err := s.sortedHits(ctx, req.Search)
	if err != nil {
		return nil, err
	}
	sortMessages(ms, req.Keys)
	out := make([]uint32, len(ms))
	for i, m := range ms {
		out[i] = m.seq
		if uid {
			out[i] = m.uid
		}
	}
	return out, nil
}

// sortMessages orders ms by the criteria, ties by sequence number.
func sortMessages(ms []sorted, keys []wire.SortKey) {
	slices.SortFunc(ms, func(a, b sorted) int {
		for _, k := range keys {
			c := compareBy(k.Name, a.k, b.k)
			if k.Reverse {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.seq, b.seq)
	})
}

// compareBy compares two messages by one sort key (RFC 5256 §3, RFC
// 5957 §3); the strings are casemapped already (i;ascii-casemap).
func compareBy(name string, a, b *sortKey) int {
	switch name {
	case "ARRIVAL":
		return cmp.Compare(a.idate, b.idate)
	case "DATE":
		return cmp.Compare(a.sentOrArrival(), b.sentOrArrival())
	case "SIZE":
		return cmp.Compare(a.size, b.size)
	case "SUBJECT":
		return strings.Compare(a.subject, b.subject)
	case "FROM":
		return strings.Compare(a.from, b.from)
	case "TO":
		return strings.Compare(a.to, b.to)
	case "CC":
		return strings.Compare(a.cc, b.cc)
	case "DISPLAYFROM":
		return strings.Compare(a.displayFrom, b.displayFrom)
	case "DISPLAYTO":
		return strings.Compare(a.displayTo, b.displayTo)
	}
	return 0
}

// sentOrArrival is the sent date, or INTERNALDATE when the message
// has no valid Date (RFC 5256 §2.2).
func (k *sortKey) sentOrArrival() int64 {
	if k.hasSent {
		return k.sent
	}
	return k.idate
}
