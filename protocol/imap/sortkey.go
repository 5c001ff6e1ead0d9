package imap

import (
	"context"
	"encoding/binary"
	"errors"
	"p9mail/protocol/internal/binrec"
	"strings"
	"sync"
	"time"

	"p9mail/protocol/imap/message"
	"p9mail/protocol/index"
	"p9mail/upasfs/mime"
)

// A sortKey is what SORT and THREAD need of one message (RFC 5256,
// RFC 5957), all fixed by its digest: computed once from its structure
// and header, kept in the server's sortKeys cache and in a sibling of
// the mailbox's index file ("<mailbox>~sort.idx", protocol/index,
// verified by digest and CRC like the structures), so that a warm
// SORT or THREAD decodes no structure. The strings are compared octet
// by octet: those SORT compares are already i;ascii-casemap'd.
type sortKey struct {
	sent    int64 // the Date field, Unix seconds; valid only if hasSent
	hasSent bool  // else the sent date is INTERNALDATE (RFC 5256 §2.2)
	idate   int64 // INTERNALDATE, Unix seconds
	size    int64 // RFC822.SIZE
	reply   bool  // the subject is a reply or forward (RFC 5256 §2.1)

	subject     string // base subject (§2.1), casemapped
	from, to    string // first mailbox's local part (§3), casemapped
	cc          string
	displayFrom string // RFC 5957 §2: display name or addr-spec, casemapped
	displayTo   string
	messageID   string   // without <>, "" if none valid
	parents     []string // References' ids, or the first of In-Reply-To (§3 REFERENCES 1.A)
}

// sortKeyVersion starts every encoded sortKey: a record of another
// version is computed again.
const sortKeyVersion = 1

// maxThreadRefs bounds the message-ids kept of one References field:
// its last ones, the nearest ancestors (RFC 5322 §3.6.4 suggests
// trimming long ones too). A header is bounded by MaxHeader already.
const maxThreadRefs = 128

// sortKeysAtOnce is how many missing sortKeys are computed per batch
// of structures loaded in parallel.
const sortKeysAtOnce = 256

// newSortKey computes m's sortKey from its structure and header.
func newSortKey(st *message.Structure, fields []message.Field, idate time.Time) *sortKey {
	k := &sortKey{size: st.Size(), idate: idate.Unix()}
	env := st.Envelope()
	if env != nil {
		if env.Date != nil {
			if t, ok := sentDate(*env.Date); ok {
				k.sent, k.hasSent = t.Unix(), true
			}
		}
		if env.Subject != nil {
			k.subject, k.reply = baseSubjectKey(*env.Subject)
		}
		k.from = message.AsciiCasemap(firstMailbox(env.From).Mailbox)
		k.to = message.AsciiCasemap(firstMailbox(env.To).Mailbox)
		k.cc = message.AsciiCasemap(firstMailbox(env.Cc).Mailbox)
		k.displayFrom = message.AsciiCasemap(displayName(env.From))
		k.displayTo = message.AsciiCasemap(displayName(env.To))
	}
	var refs, inReplyTo, msgID string
	var haveRefs, haveIRT, haveID bool
	for _, f := range fields {
		switch strings.ToLower(f.Name) {
		case "message-id":
			msgID, haveID = pickFirst(msgID, haveID, f.Value)
		case "references":
			refs, haveRefs = pickFirst(refs, haveRefs, f.Value)
		case "in-reply-to":
			inReplyTo, haveIRT = pickFirst(inReplyTo, haveIRT, f.Value)
		}
	}
	if ids := message.MessageIDs(msgID, 1); len(ids) > 0 {
		k.messageID = ids[0]
	}
	k.parents = message.MessageIDs(refs, maxThreadRefs)
	if len(k.parents) == 0 {
		k.parents = message.MessageIDs(inReplyTo, 1)
	}
	return k
}

// baseSubjectKey is a Subject field's base subject, casemapped, and
// whether it is a reply's (RFC 5256 §2.1).
func baseSubjectKey(raw string) (string, bool) {
	base, reply := message.BaseSubject(raw)
	return message.AsciiCasemap(base), reply
}

func pickFirst(old string, have bool, v string) (string, bool) {
	if have {
		return old, true
	}
	return v, true
}

// firstMailbox is the first address of l as ENVELOPE gives it: a
// group's start names the group (its name is the mailbox), as
// Dovecot sorts it (imaptest sort-addresses, sort-display-to).
func firstMailbox(l []message.Address) message.Address {
	if len(l) == 0 {
		return message.Address{}
	}
	return l[0]
}

// displayName is RFC 5957 §2's key of an address list: the first
// mailbox's display name, RFC 2047-decoded, or if it has none its
// addr-spec; "" without an address.
func displayName(l []message.Address) string {
	a := firstMailbox(l)
	if n := strings.TrimSpace(mime.DecodeHeader(a.Name)); n != "" {
		return n
	}
	if a.Mailbox == "" {
		return ""
	}
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}

// sentDate parses a Date field for SORT DATE (RFC 5256 §2.2): two- and
// three-digit years are read as RFC 5322 §4.3 says.
func sentDate(v string) (time.Time, bool) {
	return message.ParseDate(v)
}

// marshal encodes k: the version, then the numbers and strings.
func (k *sortKey) marshal() []byte {
	b := []byte{sortKeyVersion}
	flags := byte(0)
	if k.hasSent {
		flags |= 1
	}
	if k.reply {
		flags |= 2
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, k.sent)
	b = binary.AppendVarint(b, k.idate)
	b = binary.AppendVarint(b, k.size)
	for _, s := range []string{k.subject, k.from, k.to, k.cc, k.displayFrom, k.displayTo, k.messageID} {
		b = appendString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(k.parents)))
	for _, p := range k.parents {
		b = appendString(b, p)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errSortKey = errors.New("bad sort key record")

// unmarshalSortKey decodes what marshal encoded, checking every length.
func unmarshalSortKey(b []byte) (*sortKey, error) {
	if len(b) < 2 || b[0] != sortKeyVersion {
		return nil, errSortKey
	}
	k := &sortKey{hasSent: b[1]&1 != 0, reply: b[1]&2 != 0}
	r := binrec.Reader{B: b[2:]}
	k.sent, k.idate, k.size = r.Varint(), r.Varint(), r.Varint()
	for _, p := range []*string{&k.subject, &k.from, &k.to, &k.cc, &k.displayFrom, &k.displayTo, &k.messageID} {
		*p = r.Str()
	}
	n := r.Uvarint()
	if n > maxThreadRefs {
		return nil, errSortKey
	}
	for range n {
		k.parents = append(k.parents, r.Str())
	}
	if r.Bad || len(r.B) != 0 {
		return nil, errSortKey
	}
	return k, nil
}

// sortKeys returns the sortKeys of msgs, from the cache, the mailbox's
// sort index, or computed from the messages' structures (loaded in
// parallel batches, as FETCH does) and then kept in both. It stops
// when ctx is done.
func (s *session) sortKeys(ctx context.Context, msgs []*msg) ([]*sortKey, error) {
	keys := make([]*sortKey, len(msgs))
	x := s.sel.sortIndex()
	var missing []target
	for i, m := range msgs {
		if k, ok := s.srv.sortKeys.Get(m.Digest); ok {
			keys[i] = k
			continue
		}
		if x != nil {
			if b, ok := x.Get(m.Digest); ok {
				if k, err := unmarshalSortKey(b); err == nil {
					s.srv.sortKeys.Put(m.Digest, k)
					keys[i] = k
					continue
				}
			}
		}
		missing = append(missing, target{seq: uint32(i), m: m})
	}
	for len(missing) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch := missing[:min(len(missing), sortKeysAtOnce)]
		missing = missing[len(batch):]
		sts := s.loadStructures(batch)
		var recs []index.Record
		for j, t := range batch {
			st := sts[j]
			if st == nil {
				return nil, errors.New("cannot read message " + t.m.Digest)
			}
			fields, err := st.Header(message.UpasfsSource(s.fs, s.sel.box, t.m.num))
			if err != nil {
				return nil, err
			}
			k := newSortKey(st, fields, s.internalDate(t.m, st))
			s.srv.sortKeys.Put(t.m.Digest, k)
			keys[t.seq] = k
			recs = append(recs, index.Record{Digest: t.m.Digest, Payload: k.marshal()})
		}
		if x != nil {
			if err := x.PutMany(recs); err != nil {
				s.cfg.Log.Warn("imap sort index", "user", s.user, "err", err)
			}
		}
	}
	return keys, nil
}

// sortIndexKind names the sort index beside a mailbox's index file.
const sortIndexKind = "sort"

// sortIndex returns the mailbox's sort index file, opened on first
// use; nil without an index or when it cannot be opened (logged once).
func (mb *mailbox) sortIndex() *index.File {
	srv := mb.s.srv
	if srv.index == nil {
		return nil
	}
	mb.sortIdxOnce.Do(func() {
		x, err := srv.index.Sibling(mb.s.user, mb.file, sortIndexKind)
		if err != nil {
			srv.cfg.Log.Warn("imap sort index", "user", mb.s.user, "mailbox", mb.name, "err", err)
			return
		}
		mb.sortIdx = x
	})
	return mb.sortIdx
}

// sortIndexState is the sort index of a mailbox (selected.go).
type sortIndexState struct {
	sortIdx     *index.File
	sortIdxOnce sync.Once
}
