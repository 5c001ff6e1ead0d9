package imap_test

// SORT and THREAD through go-imap v2's imapclient (Sort, UIDSort,
// Thread, UIDThread), on the seven messages of testdata/sort.txt and
// thread.txt, whose orders are worked out there.

import (
	"fmt"
	"slices"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

const sortMbox = "From sender@x.org Tue Jan  7 08:00:00 2025\nFrom: \"Zed\" <bob@x.org>\nTo: carol@x.org\nSubject: =?utf-8?q?Caf=C3=A9?= news\nDate: Tue, 7 Jan 2025 09:00:00 +0000\nMessage-ID: <m1@x>\n\none\nFrom sender@x.org Tue Jan  7 09:00:00 2025\nFrom: alice@x.org\nTo: \"Bob B\" <bob@x.org>\nCc: dave@x.org\nSubject: Re: [list] caf\u00e9 NEWS (fwd)\nDate: 7 Jan 97 10:00 +0000\nMessage-ID: <m2@x>\nIn-Reply-To: <m1@x>\n\ntwo two\nFrom sender@x.org Sun Jan  5 10:00:00 2025\nFrom: <Alice@y.org>\nTo: ann@x.org\nSubject: Fwd: Zebra\nMessage-ID: <m3@x>\n\nthree three three\nFrom sender@x.org Mon Jan  6 10:00:00 2025\nFrom: carol@x.org\nTo: =?iso-8859-1?q?=C5sa?= <asa@x.org>\nSubject: [fwd: apple]\nDate: Mon, 6 Jan 2025 12:00:00 -0500\nMessage-ID: <m4@x>\nReferences: <m5@x>\n\nfour\nFrom sender@x.org Mon Jan  6 11:00:00 2025\nFrom: \"Ann\" <zoe@x.org>\nTo: dave@x.org\nCc: bob@x.org\nSubject: apple\nDate: Mon, 6 Jan 2025 16:00:00 +0000\nMessage-ID: <m5@x>\n\nfive five five five five\nFrom sender@x.org Wed Jan  8 10:00:00 2025\nFrom: bob@x.org\nCc: alice@x.org\nSubject: Re: Re: apple\nDate: garbage\nMessage-ID: <m6@x>\nReferences: <gone@x> <m4@x>\n\nsix\nFrom sender@x.org Thu Jan  9 10:00:00 2025\nFrom: dave@x.org\nTo: bob@x.org\nSubject: Re: Zebra\nDate: Thu, 9 Jan 2025 10:00:00 +0000\nMessage-ID: <m7@x>\n\nseven\n"

func TestInteropGoIMAPSortThread(t *testing.T) {
	e := newInteropEnv(t, false, []byte(sortMbox))
	c := e.goimapLogin()
	for _, cp := range []goimap.Cap{"SORT", "SORT=DISPLAY", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT", "THREAD=REFS", "I18NLEVEL=1"} {
		if !c.Caps().Has(cp) {
			t.Errorf("capability %s not announced", cp)
		}
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	all := &goimap.SearchCriteria{}
	for _, s := range []struct {
		keys []imapclient.SortCriterion
		crit *goimap.SearchCriteria
		want []uint32
	}{
		{[]imapclient.SortCriterion{{Key: imapclient.SortKeySubject}}, all, []uint32{4, 5, 6, 1, 2, 3, 7}},
		{[]imapclient.SortCriterion{{Key: imapclient.SortKeyDate}}, all, []uint32{2, 3, 5, 4, 1, 6, 7}},
		{[]imapclient.SortCriterion{{Key: imapclient.SortKeyFrom}, {Key: imapclient.SortKeyDate, Reverse: true}}, all, []uint32{3, 2, 6, 1, 4, 7, 5}},
		{[]imapclient.SortCriterion{{Key: imapclient.SortKeySize}}, all, []uint32{3, 7, 6, 1, 5, 4, 2}},
		{[]imapclient.SortCriterion{{Key: imapclient.SortKeyDate}}, &goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "alice"}}}, []uint32{2, 3}},
	} {
		got, err := c.Sort(&imapclient.SortOptions{SearchCriteria: s.crit, SortCriteria: s.keys}).Wait()
		if err != nil || !slices.Equal(got, s.want) {
			t.Errorf("SORT %v: %v, %v; want %v", s.keys, got, err, s.want)
		}
	}
	threads := func(uid bool, alg goimap.ThreadAlgorithm) string {
		cmd := c.Thread
		if uid {
			cmd = c.UIDThread
		}
		data, err := cmd(&imapclient.ThreadOptions{Algorithm: alg, SearchCriteria: all}).Wait()
		if err != nil {
			t.Errorf("THREAD %s: %v", alg, err)
		}
		return fmt.Sprint(data)
	}
	// (2 1)(3 7)(5 (4)(6)) and ((3)(7))(5 4 6)(1 2), as imapclient reads them.
	if got, want := threads(false, goimap.ThreadOrderedSubject), "[{[2 1] []} {[3 7] []} {[5] [{[4] []} {[6] []}]}]"; got != want {
		t.Errorf("THREAD ORDEREDSUBJECT: %s, want %s", got, want)
	}
	if got, want := threads(false, goimap.ThreadReferences), "[{[] [{[3] []} {[7] []}]} {[5 4 6] []} {[1 2] []}]"; got != want {
		t.Errorf("THREAD REFERENCES: %s, want %s", got, want)
	}
	// After expunging message 1, UIDs and sequence numbers differ; UID 2
	// (of 1997) is now alone and first.
	if err := c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	got, err := c.UIDSort(&imapclient.SortOptions{SearchCriteria: all, SortCriteria: []imapclient.SortCriterion{{Key: imapclient.SortKeySubject}}}).Wait()
	if want := []uint32{4, 5, 6, 2, 3, 7}; err != nil || !slices.Equal(got, want) {
		t.Errorf("UID SORT (SUBJECT): %v, %v; want %v", got, err, want)
	}
	if got, want := threads(true, goimap.ThreadReferences), "[{[2] []} {[] [{[3] []} {[7] []}]} {[5 4 6] []}]"; got != want {
		t.Errorf("UID THREAD REFERENCES: %s, want %s", got, want)
	}
}
