package imap_test

// Interoperability of CONDSTORE (RFC 7162 §3.1) with go-imap v2's
// imapclient (v2.0.0-beta.8): SelectOptions.CondStore and the
// HIGHESTMODSEQ it reads, FetchOptions.ModSeq and ChangedSince,
// StoreOptions.UnchangedSince, SearchCriteria.ModSeq with the (MODSEQ
// n) it reads, and STATUS HIGHESTMODSEQ.

import (
	"testing"

	goimap "github.com/emersion/go-imap/v2"
)

func TestInteropGoIMAPCondStore(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c := e.goimapLogin()
	if !c.Caps().Has(goimap.CapCondStore) {
		t.Fatal("CONDSTORE not announced")
	}
	sel, err := c.Select("INBOX", &goimap.SelectOptions{CondStore: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.HighestModSeq == 0 {
		t.Fatalf("SELECT (CONDSTORE): no HIGHESTMODSEQ")
	}
	high := sel.HighestModSeq
	msgs, err := c.Fetch(goimap.SeqSetNum(1), &goimap.FetchOptions{ModSeq: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].ModSeq == 0 || msgs[0].ModSeq > high {
		t.Fatalf("FETCH 1 MODSEQ: %+v, %v; want one message at most %d", msgs, err, high)
	}
	// Message 2 changes: its mod-sequence goes above the highest.
	stored, err := c.Store(goimap.SeqSetNum(2), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd,
		Flags: []goimap.Flag{goimap.FlagFlagged}}, nil).Collect()
	if err != nil || len(stored) != 1 || stored[0].ModSeq <= high {
		t.Fatalf("STORE 2 +FLAGS: %+v, %v; want MODSEQ above %d", stored, err, high)
	}
	two := stored[0].ModSeq
	changed, err := c.Fetch(goimap.SeqSetNum(1, 2, 3), &goimap.FetchOptions{UID: true, Flags: true, ChangedSince: high}).Collect()
	if err != nil || len(changed) != 1 || changed[0].SeqNum != 2 || changed[0].ModSeq != two {
		t.Fatalf("FETCH (CHANGEDSINCE %d): %+v, %v; want message 2 at %d", high, changed, err, two)
	}
	// UNCHANGEDSINCE below message 2's: 2 stays as it is, 1 changes.
	cond, err := c.Store(goimap.SeqSetNum(1, 2), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd,
		Flags: []goimap.Flag{goimap.FlagAnswered}}, &goimap.StoreOptions{UnchangedSince: high}).Collect()
	if err != nil || len(cond) != 1 || cond[0].SeqNum != 1 || cond[0].ModSeq <= two {
		t.Fatalf("STORE (UNCHANGEDSINCE %d): %+v, %v; want only message 1, above %d", high, cond, err, two)
	}
	one := cond[0].ModSeq
	found, err := c.Search(&goimap.SearchCriteria{ModSeq: &goimap.SearchCriteriaModSeq{ModSeq: two}}, nil).Wait()
	if err != nil || len(found.AllSeqNums()) != 2 || found.ModSeq != one {
		t.Fatalf("SEARCH MODSEQ %d: %+v, %v; want messages 1 and 2, MODSEQ %d", two, found, err, one)
	}
	st, err := c.Status("INBOX", &goimap.StatusOptions{HighestModSeq: true}).Wait()
	if err != nil || st.HighestModSeq != one {
		t.Fatalf("STATUS INBOX (HIGHESTMODSEQ): %+v, %v; want %d", st, err, one)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
	// A new session reads the same numbers from the state file.
	c = e.goimapLogin()
	sel, err = c.Select("INBOX", &goimap.SelectOptions{CondStore: true}).Wait()
	if err != nil || sel.HighestModSeq != one {
		t.Fatalf("SELECT again: %+v, %v; want HIGHESTMODSEQ %d", sel, err, one)
	}
	again, err := c.Fetch(goimap.SeqSetNum(1, 2), &goimap.FetchOptions{ModSeq: true}).Collect()
	if err != nil || len(again) != 2 || again[0].ModSeq != one || again[1].ModSeq != two {
		t.Fatalf("FETCH 1:2 MODSEQ after a reconnect: %+v, %v; want %d and %d", again, err, one, two)
	}
}
