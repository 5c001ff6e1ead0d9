package imap

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"p9mail/protocol"
	"p9mail/protocol/imap/wire"
)

// sortCapabilities are announced once authenticated, as Dovecot does
// (RFC 5256 §1, RFC 5957
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
	if req.Return != nil {
		return s.esort(tag, cmd, uid, req) // esort.go (RFC 5267)
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
	if hasModSeqKey(req.Search.Keys) {
		s.hitsModSeq(hits, uid) // condstore.go
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
	var seqs []uint32
	if len(prog.Keys) == 1 && prog.Keys[0].Op == wire.SearchAll {
		// What clients send most: every message, no search needed.
		for i, m := range s.sel.msgs {
			if !m.Expunged {
				seqs = append(seqs, uint32(i+1))
			}
		}
	} else {
		idx, err := s.searchHits(ctx, prog.Keys, time.Now())
		if err != nil {
			return nil, err
		}
		seqs = make([]uint32, len(idx))
		for i, x := range idx {
			seqs[i] = uint32(x + 1)
		}
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
// 5267, esort.go) sort with sortedHits and sortMessages themselves, to
// keep each message's keys.
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
// Each criterion is first turned into one number per message (the
// value, or for strings its rank among the distinct values), laid out
// in one flat table, so that the sort compares integers close together
// instead of following pointers to keys and strings scattered over the
// heap: on 100,000 messages that is most of a warm SORT's time.
func sortMessages(ms []sorted, keys []wire.SortKey) {
	n, w := len(ms), len(keys)
	table := make([]int64, n*w)
	for j, k := range keys {
		col := column(ms, k.Name)
		for i, v := range col {
			if k.Reverse {
				v = -v
			}
			table[i*w+j] = v
		}
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := table[int(a)*w:int(a)*w+w], table[int(b)*w:int(b)*w+w]
		for j := range ra {
			if c := cmp.Compare(ra[j], rb[j]); c != 0 {
				return c
			}
		}
		return cmp.Compare(ms[a].seq, ms[b].seq)
	})
	out := make([]sorted, n)
	for i, o := range order {
		out[i] = ms[o]
	}
	copy(ms, out)
}

// column is one sort key's value for each message: numbers as they
// are, strings as their rank in the sorted distinct values.
func column(ms []sorted, name string) []int64 {
	col := make([]int64, len(ms))
	str := sortString(name)
	if str == nil {
		for i := range ms {
			col[i] = sortNumber(name, ms[i].k)
		}
		return col
	}
	rank := map[string]int64{}
	for i := range ms {
		rank[str(ms[i].k)] = 0
	}
	distinct := make([]string, 0, len(rank))
	for v := range rank {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct) // octet order: the values are casemapped
	for r, v := range distinct {
		rank[v] = int64(r)
	}
	for i := range ms {
		col[i] = rank[str(ms[i].k)]
	}
	return col
}

// sortString returns the string a string sort key compares (RFC 5256
// §3, RFC 5957 §3; casemapped already: i;ascii-casemap), nil for the
// numeric keys.
func sortString(name string) func(*sortKey) string {
	switch name {
	case "SUBJECT":
		return func(k *sortKey) string { return k.subject }
	case "FROM":
		return func(k *sortKey) string { return k.from }
	case "TO":
		return func(k *sortKey) string { return k.to }
	case "CC":
		return func(k *sortKey) string { return k.cc }
	case "DISPLAYFROM":
		return func(k *sortKey) string { return k.displayFrom }
	case "DISPLAYTO":
		return func(k *sortKey) string { return k.displayTo }
	}
	return nil
}

// sortNumber is a numeric sort key's value: ARRIVAL, DATE, SIZE.
func sortNumber(name string, k *sortKey) int64 {
	switch name {
	case "ARRIVAL":
		return k.idate
	case "DATE":
		return k.sentOrArrival()
	case "SIZE":
		return k.size
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
