package statefile

import (
	"fmt"
	"slices"

	"p9mail/protocol/imap/imp"
)

// MaxExpungeHistory bounds the expunged UIDs a file remembers; past it
// the oldest go and Floor rises, so a client resynchronising from
// before Floor must be told of expunges the long way (RFC 7162 §3.2.5.2
// leaves that to the server).
const MaxExpungeHistory = 100_000

// Load is Parse for a file that may not exist or may not fit: it
// returns the file when it parses and belongs to uidvalidity, else an
// empty File for uidvalidity, with Parse's error (nil when the file
// was missing or of an older UIDVALIDITY) for the caller to log.
func Load(data []byte, exists bool, uidvalidity uint32) (*File, error) {
	if !exists {
		return &File{UIDValidity: uidvalidity}, nil
	}
	f, err := Parse(data)
	if err != nil {
		return &File{UIDValidity: uidvalidity}, err
	}
	if f.UIDValidity != uidvalidity {
		return &File{UIDValidity: uidvalidity}, nil
	}
	return f, nil
}

// Keyword returns the number of keyword k, adding it unless that would
// make more than max (then ok is false).
func (f *File) Keyword(k string, max int) (n int, ok bool) {
	if i := slices.Index(f.Keywords, k); i >= 0 {
		return i, true
	}
	if len(f.Keywords) >= min(max, MaxKeywords) || !ValidKeyword(k) {
		return 0, false
	}
	f.Keywords = append(f.Keywords, k)
	return len(f.Keywords) - 1, true
}

// Lookup returns the record of uid (nil if none); msgs are ascending.
func (f *File) Lookup(uid uint32) *Msg {
	i, ok := slices.BinarySearchFunc(f.Msgs, uid, func(m Msg, u uint32) int { return cmpUID(m.UID, u) })
	if !ok {
		return nil
	}
	return &f.Msgs[i]
}

func cmpUID(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// An Entry is a message as the session has it after the .imp and its
// own changes: its UID, system flags and keyword numbers (ascending).
type Entry struct {
	UID      uint32
	Flags    imp.Flags
	Keywords []uint16
}

// Update makes f describe entries (ascending UID, every message of the
// mailbox with a UID): a message whose flags or keywords differ from
// its record, or that has none, gets a new mod-sequence, one above the
// highest (and above 1), shared by all the changes of this call (RFC 7162 §3.1.1
// lets one operation give several messages the same value); records of
// UIDs no longer present become expunges at that mod-sequence. It
// returns each entry's mod-sequence and whether f changed.
func (f *File) Update(entries []Entry) (modseqs []uint64, changed bool, err error) {
	for i := 1; i < len(entries); i++ {
		if entries[i].UID <= entries[i-1].UID {
			return nil, false, fmt.Errorf("state: entries out of order at uid %d", entries[i].UID)
		}
	}
	// 1 is what a mailbox without mod-sequences reports as its
	// highest (RFC 7162 §3.1.2.1 wants it positive): the first change
	// is above it.
	next := max(f.HighestModSeq, 1) + 1
	modseqs = make([]uint64, len(entries))
	msgs := make([]Msg, 0, len(entries))
	var gone []uint32
	j := 0
	for i, e := range entries {
		for j < len(f.Msgs) && f.Msgs[j].UID < e.UID {
			gone = append(gone, f.Msgs[j].UID)
			j++
		}
		var rec *Msg
		if j < len(f.Msgs) && f.Msgs[j].UID == e.UID {
			rec = &f.Msgs[j]
			j++
		}
		flags := e.Flags & imp.System
		if rec != nil && rec.Flags == flags && slices.Equal(rec.Keywords, e.Keywords) {
			msgs = append(msgs, *rec)
			modseqs[i] = rec.ModSeq
			continue
		}
		changed = true
		msgs = append(msgs, Msg{UID: e.UID, ModSeq: next, Flags: flags, Keywords: slices.Clone(e.Keywords)})
		modseqs[i] = next
	}
	for ; j < len(f.Msgs); j++ {
		gone = append(gone, f.Msgs[j].UID)
	}
	if len(gone) > 0 {
		changed = true
		f.Expunged = append(f.Expunged, Expunge{ModSeq: next, UIDs: gone})
		f.trimHistory()
	}
	f.Msgs = msgs
	if changed {
		f.HighestModSeq = next
	}
	return modseqs, changed, nil
}

// trimHistory drops the oldest expunges past MaxExpungeHistory UIDs.
func (f *File) trimHistory() {
	n := 0
	for _, x := range f.Expunged {
		n += len(x.UIDs)
	}
	for n > MaxExpungeHistory && len(f.Expunged) > 1 {
		n -= len(f.Expunged[0].UIDs)
		f.Floor = f.Expunged[0].ModSeq
		f.Expunged = f.Expunged[1:]
	}
}
