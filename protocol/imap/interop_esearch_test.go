package imap_test

// Interoperability of the extended SEARCH with go-imap v2's imapclient:
// ESEARCH return options (RFC 4731) for SEARCH and UID SEARCH, and
// "$" (RFC 5182) as go-imap writes it in UID FETCH, UID STORE and UID
// SEARCH.

import (
	"slices"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
)

func TestInteropGoIMAPESearch(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c := e.goimapLogin()
	for _, cp := range []goimap.Cap{goimap.CapESearch, goimap.CapSearchRes, "WITHIN", "CONTEXT=SEARCH"} {
		if !c.Caps().Has(cp) {
			t.Fatalf("%s not announced", cp)
		}
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	n := uint32(len(e.want))
	if err := c.Store(goimap.SeqSetNum(2, 4), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true,
		Flags: []goimap.Flag{goimap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	flagged := &goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagFlagged}}
	all := &goimap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnAll: true, ReturnCount: true}

	d, err := c.UIDSearch(flagged, all).Wait()
	if err != nil {
		t.Fatalf("UID SEARCH RETURN (MIN MAX ALL COUNT) FLAGGED: %v", err)
	}
	if d.Min != 2 || d.Max != 4 || d.Count != 2 || d.All.String() != "2,4" {
		t.Errorf("UID SEARCH FLAGGED: MIN %d MAX %d COUNT %d ALL %v; want 2, 4, 2, 2,4", d.Min, d.Max, d.Count, d.All)
	}
	d, err = c.Search(&goimap.SearchCriteria{}, &goimap.SearchOptions{ReturnCount: true, ReturnAll: true}).Wait()
	if err != nil || d.Count != n || !slices.Equal(d.AllSeqNums(), oneTo(n)) {
		t.Errorf("SEARCH RETURN (COUNT ALL) ALL: %+v, %v; want %d messages", d, err, n)
	}
	d, err = c.Search(&goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "no such subject anywhere"}}},
		&goimap.SearchOptions{ReturnMin: true, ReturnCount: true}).Wait()
	if err != nil || d.Min != 0 || d.Count != 0 {
		t.Errorf("SEARCH RETURN (MIN COUNT) for nothing: %+v, %v; want count 0, no MIN", d, err)
	}

	// SEARCHRES: go-imap v2.0.0-beta.8 sends no RETURN (SAVE) (its
	// ReturnSave is not written; the transcript searchres.txt covers
	// SAVE), but it writes "$" for imap.SearchRes(): with nothing
	// saved, "$" is a valid empty set (RFC 5182 §2.1), and UID FETCH,
	// UID STORE and UID SEARCH take it as such.
	msgs, err := c.Fetch(goimap.SearchRes(), &goimap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil || len(msgs) != 0 {
		t.Errorf("UID FETCH $ with nothing saved: %d messages, %v; want none, OK", len(msgs), err)
	}
	if err := c.Store(goimap.SearchRes(), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true,
		Flags: []goimap.Flag{goimap.FlagSeen}}, nil).Close(); err != nil {
		t.Errorf("UID STORE $: %v", err)
	}
	d, err = c.UIDSearch(&goimap.SearchCriteria{Not: []goimap.SearchCriteria{{UID: []goimap.UIDSet{goimap.SearchRes()}}}},
		&goimap.SearchOptions{ReturnCount: true}).Wait()
	if err != nil || d.Count != n {
		t.Errorf("UID SEARCH RETURN (COUNT) NOT UID $: %+v, %v; want COUNT %d", d, err, n)
	}
	d, err = c.Search(&goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagSeen}}, &goimap.SearchOptions{ReturnCount: true}).Wait()
	if err != nil || d.Count != 0 {
		t.Errorf("SEARCH RETURN (COUNT) SEEN after UID STORE $: %+v, %v; want COUNT 0", d, err)
	}
}

// oneTo is 1, 2, ... n.
func oneTo(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i + 1)
	}
	return s
}
