package imap

import (
	"context"
	"strings"

	"p9mail/protocol/imap/wire"
)

// threadAlgorithms are the THREAD algorithms offered, as announced
// (THREAD=<name>, RFC 5256 §3) and as run (threadalg.go).
var threadAlgorithms = map[string]func([]sorted) []*threadNode{
	"ORDEREDSUBJECT": threadOrderedSubject,
	"REFERENCES":     func(ms []sorted) []*threadNode { return threadReferences(ms, true) },
	"REFS":           func(ms []sorted) []*threadNode { return threadReferences(ms, false) },
}

// threadCmd runs THREAD and UID THREAD (RFC 5256 §3, §4): the search
// program as SEARCH reads and runs it, its hits threaded by the named
// algorithm over their sortKeys.
func (s *session) threadCmd(tag, cmd string, uid bool) error {
	var req wire.Thread
	if !s.dec.ExpectSP() || !s.dec.ExpectThread(&req) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	alg, ok := threadAlgorithms[req.Algorithm]
	if !ok {
		return bad("", cmd+" unknown threading algorithm "+req.Algorithm)
	}
	if err := s.checkProgram(cmd, req.Search); err != nil {
		return err
	}
	var threads []*threadNode
	err := s.withHangup(uid, func(ctx context.Context) error {
		ms, err := s.sortedHits(ctx, req.Search)
		if err == nil {
			threads = alg(ms)
		}
		return err
	})
	if err != nil {
		return s.workError(cmd, err)
	}
	var b strings.Builder
	b.WriteString("* THREAD")
	if len(threads) > 0 {
		b.WriteByte(' ')
	}
	for _, t := range threads {
		appendThread(&b, t, uid)
	}
	s.enc.Atom(b.String()).CRLF()
	return nil
}
