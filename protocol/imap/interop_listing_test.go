package imap_test

import (
	"regexp"
	"slices"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// TestInteropGoIMAPListing: go-imap v2's imapclient over the session
// and listing extensions: the capabilities, CREATE with a special use,
// LIST with selection and return options (LIST-EXTENDED, CHILDREN,
// SPECIAL-USE, LIST-STATUS with SIZE and APPENDLIMIT), STATUS SIZE
// against the FETCHed RFC822.SIZEs, ENABLE of an extension the server
// lacks, and AUTHENTICATE PLAIN with its initial response (SASL-IR).
func TestInteropGoIMAPListing(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c := e.goimapLogin()
	for _, cp := range []goimap.Cap{goimap.CapEnable, goimap.CapSASLIR, goimap.CapChildren, goimap.CapListExtended,
		goimap.CapListStatus, goimap.CapSpecialUse, goimap.CapCreateSpecialUse, goimap.CapStatusSize, goimap.CapLiteralPlus} {
		if !c.Caps().Has(cp) {
			t.Errorf("%s not announced", cp)
		}
	}
	if limit, ok := c.Caps().AppendLimit(); !ok || limit == nil || *limit == 0 {
		t.Errorf("APPENDLIMIT: %v, %v", limit, ok)
	}
	if err := c.Create("Sent Items", &goimap.CreateOptions{SpecialUse: []goimap.MailboxAttr{goimap.MailboxAttrSent}}).Wait(); err != nil {
		t.Fatalf("CREATE (USE (\\Sent)): %v", err)
	}
	err := c.Create("Bin", &goimap.CreateOptions{SpecialUse: []goimap.MailboxAttr{goimap.MailboxAttrFlagged}}).Wait()
	if ierr, ok := err.(*goimap.Error); !ok || ierr.Code != goimap.ResponseCode("USEATTR") {
		t.Errorf("CREATE (USE (\\Flagged)): %v, want NO [USEATTR]", err)
	}
	for _, n := range []string{"work/", "work/plans"} {
		if err := c.Create(n, nil).Wait(); err != nil {
			t.Fatalf("CREATE %s: %v", n, err)
		}
	}
	if err := c.Subscribe("work/plans").Wait(); err != nil {
		t.Fatal(err)
	}

	// STATUS SIZE is what FETCH RFC822.SIZE adds up to.
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{RFC822Size: true}).Collect()
	if err != nil || len(msgs) != len(e.want) {
		t.Fatalf("FETCH RFC822.SIZE: %d messages, %v", len(msgs), err)
	}
	var sum int64
	for _, m := range msgs {
		sum += m.RFC822Size
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status("INBOX", &goimap.StatusOptions{NumMessages: true, Size: true, AppendLimit: true}).Wait()
	if err != nil || st.Size == nil || *st.Size != sum || st.NumMessages == nil || int(*st.NumMessages) != len(e.want) || st.AppendLimit == nil {
		t.Fatalf("STATUS INBOX: %+v, %v; want SIZE %d, MESSAGES %d, an APPENDLIMIT", st, err, sum, len(e.want))
	}

	list, err := c.List("", "*", &goimap.ListOptions{ReturnChildren: true, ReturnSubscribed: true, ReturnSpecialUse: true,
		ReturnStatus: &goimap.StatusOptions{NumMessages: true, Size: true}}).Collect()
	if err != nil {
		t.Fatalf("LIST RETURN: %v", err)
	}
	got := map[string]*goimap.ListData{}
	for _, l := range list {
		got[l.Mailbox] = l
	}
	want := map[string][]goimap.MailboxAttr{
		"INBOX":      {goimap.MailboxAttrNoInferiors},
		"Sent Items": {goimap.MailboxAttrNoInferiors, goimap.MailboxAttrSent},
		"work":       {goimap.MailboxAttrNoSelect, goimap.MailboxAttrHasChildren},
		"work/plans": {goimap.MailboxAttrNoInferiors, goimap.MailboxAttrSubscribed},
	}
	if len(got) != len(want) {
		t.Errorf("LIST: %d mailboxes, want %d", len(got), len(want))
	}
	for name, attrs := range want {
		l := got[name]
		if l == nil {
			t.Errorf("LIST: no %s", name)
			continue
		}
		for _, a := range attrs {
			if !slices.Contains(l.Attrs, a) {
				t.Errorf("LIST %s: attributes %v lack %s", name, l.Attrs, a)
			}
		}
		if selectable := name != "work"; selectable != (l.Status != nil) {
			t.Errorf("LIST %s: STATUS %+v", name, l.Status)
		}
	}
	if s := got["INBOX"].Status; s == nil || s.Size == nil || *s.Size != sum {
		t.Errorf("LIST-STATUS INBOX: %+v, want SIZE %d", s, sum)
	}

	sub, err := c.List("", "%", &goimap.ListOptions{SelectSubscribed: true, SelectRecursiveMatch: true}).Collect()
	if err != nil || len(sub) != 2 || sub[1].Mailbox != "work" || sub[1].ChildInfo == nil || !sub[1].ChildInfo.Subscribed {
		t.Errorf("LIST (SUBSCRIBED RECURSIVEMATCH) %%: %v, want INBOX and work with CHILDINFO (SUBSCRIBED)", err)
		for _, l := range sub {
			t.Logf("  %+v", l)
		}
	}
	special, err := c.List("", "*", &goimap.ListOptions{SelectSpecialUse: true}).Collect()
	if err != nil || len(special) != 1 || special[0].Mailbox != "Sent Items" {
		t.Errorf("LIST (SPECIAL-USE) *: %v, %v", special, err)
	}

	en, err := c.Enable(goimap.CapUTF8Accept).Wait()
	if err != nil || len(en.Caps) != 0 {
		t.Errorf("ENABLE UTF8=ACCEPT: %v, %v; want nothing enabled (not offered)", en, err)
	}

	// SASL-IR: go-imap sends PLAIN's response on the command line.
	c2, err := imapclient.DialTLS(e.tlsAddr, &imapclient.Options{TLSConfig: e.cert.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.Authenticate(sasl.NewPlainClient("", ioUser, ioPass)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
	if !regexp.MustCompile(`AUTHENTICATE PLAIN [A-Za-z0-9+/=]+\\r\\n`).Match(e.trace.Bytes()) {
		t.Errorf("go-imap sent no initial response")
	}
}
