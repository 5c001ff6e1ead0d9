package imap_test

// Interoperability with go-imap v2's imapclient (a test-only
// dependency): one session after STARTTLS that SELECTs, FETCHes BODY[]
// of every message, STOREs, SEARCHes, APPENDs and EXPUNGEs, then a
// second session over implicit TLS that IDLEs and must be told EXISTS
// when mail is delivered with upasfs/mbox.Append; ENVELOPE,
// BODYSTRUCTURE and BODY[1] of every message, checked against an
// independent parse of the stored bytes (interop_mime_test.go); and a
// message moved to another mailbox and back.

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"p9mail/upasfs/mbox"
)

// appendedMsg is what the go-imap session APPENDs (CRLF, as IMAP
// sends it); the mbox stores it with LF (spec §2.9).
const appendedMsg = "From: glenda@example.org\r\nTo: rob@example.org\r\nSubject: appended by go-imap\r\n" +
	"Message-ID: <append.1@example.org>\r\n\r\nA short note.\r\n>From the archive.\r\n"

// deliveredMsg is delivered while the second session IDLEs.
const deliveredMsg = "From: ken@example.com\nTo: glenda@example.org\nSubject: delivered during IDLE\n\nNew mail.\n"

func TestInteropGoIMAP(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c, err := imapclient.DialStartTLS(e.addr, &imapclient.Options{TLSConfig: e.cert.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ioUser, ioPass).Wait(); err != nil {
		t.Fatalf("LOGIN after STARTTLS: %v", err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	n := uint32(len(e.want))
	if sel.NumMessages != n || sel.UIDNext != goimap.UID(n+1) || sel.UIDValidity == 0 {
		t.Errorf("SELECT: %d messages, UIDNEXT %d, UIDVALIDITY %d; want %d, %d, not 0",
			sel.NumMessages, sel.UIDNext, sel.UIDValidity, n, n+1)
	}
	goimapFetchAll(t, e, c)
	goimapStoreSearch(t, c)
	goimapAppend(t, e, c)
	exp, err := c.Expunge().Collect()
	if err != nil || !slices.Equal(exp, []uint32{4, 4}) {
		t.Errorf("EXPUNGE: %v, %v; want [4 4] (messages 4 and 5)", exp, err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	goimapIdle(t, e, n-2+1)

	// Left behind: messages 4 and 5 gone, the appended one with LF
	// and its own From line, the delivered one as delivered.
	data, err := os.ReadFile(e.mbox)
	if err != nil {
		t.Fatal(err)
	}
	got := splitStored(data)
	if len(got) != len(e.want)-2+2 {
		t.Fatalf("mailbox holds %d messages, want %d", len(got), len(e.want))
	}
	var kept []storedMsg
	for i, m := range e.want {
		if i != 3 && i != 4 {
			kept = append(kept, m)
		}
	}
	for i, m := range kept {
		if !bytes.Equal(got[i].unix, m.unix) {
			t.Errorf("kept message %d changed", i+1)
		}
	}
	app := got[len(kept)]
	fromLine, _, _ := bytes.Cut(app.unix, []byte("\n"))
	if !regexp.MustCompile(`^From glenda \w{3} \w{3} [ 0-9]\d \d\d:\d\d:\d\d \S+ \d{4}$`).Match(fromLine) ||
		string(app.raw) != strings.ReplaceAll(appendedMsg, "\r\n", "\n") {
		t.Errorf("appended message stored as %q", app.unix)
	}
	if want := deliveredUnix(); string(got[len(kept)+1].unix) != want {
		t.Errorf("delivered message stored as %q, want %q", got[len(kept)+1].unix, want)
	}
	// UIDs stay; 2 is \Flagged, 3 \Seen, the appended one \Seen (it got
	// UID 13 at the NOOP), the delivered one UID 14 in the IDLE session
	// and \Seen by its FETCH BODY[].
	var lines []impLine
	for i, m := range e.want {
		fl := map[int]string{2: "--f-----", 3: "s-------"}[i+1]
		if fl == "" {
			fl = "--------"
		}
		if i != 3 && i != 4 {
			lines = append(lines, impLine{m.digest, uint32(i + 1), fl})
		}
	}
	lines = append(lines, impLine{app.digest, n + 1, "s-------"}, impLine{got[len(kept)+1].digest, n + 2, "s-------"})
	e.checkImp(n+3, lines)
}

// goimapFetchAll fetches UID, FLAGS, RFC822.SIZE and BODY.PEEK[] of
// every message and checks them against the stored bytes. The first
// SELECT of the mailbox: every message is \Recent.
func goimapFetchAll(t *testing.T, e *interopEnv, c *imapclient.Client) {
	t.Helper()
	bodySec := &goimap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{UID: true, Flags: true, RFC822Size: true,
		BodySection: []*goimap.FetchItemBodySection{bodySec}}).Collect()
	if err != nil {
		t.Fatalf("FETCH 1:*: %v", err)
	}
	if len(msgs) != len(e.want) {
		t.Fatalf("FETCH 1:* returned %d messages, want %d", len(msgs), len(e.want))
	}
	var bodies [][]byte
	for i, m := range msgs {
		w := e.want[i]
		if m.SeqNum != uint32(i+1) || m.UID != goimap.UID(i+1) || !slices.Equal(m.Flags, []goimap.Flag{flagRecent}) ||
			m.RFC822Size != int64(len(w.wire)) {
			t.Errorf("message %d: seq %d UID %d FLAGS %v RFC822.SIZE %d; want UID %d, \\Recent, size %d",
				i+1, m.SeqNum, m.UID, m.Flags, m.RFC822Size, i+1, len(w.wire))
		}
		bodies = append(bodies, m.FindBodySection(bodySec))
	}
	e.checkMessages(bodies, func(m storedMsg) []byte { return m.wire })
}

const flagRecent = goimap.Flag("\\Recent")

// goimapStoreSearch: \Flagged on 2, \Seen on 3, \Deleted on 4 and 5,
// each answered with the new flags; then SEARCH by flag, UID SEARCH,
// a header and a NOT.
func goimapStoreSearch(t *testing.T, c *imapclient.Client) {
	t.Helper()
	for _, st := range []struct {
		set  goimap.SeqSet
		flag goimap.Flag
	}{
		{goimap.SeqSetNum(2), goimap.FlagFlagged},
		{goimap.SeqSetNum(3), goimap.FlagSeen},
		{goimap.SeqSetNum(4, 5), goimap.FlagDeleted},
	} {
		res, err := c.Store(st.set, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{st.flag}}, nil).Collect()
		nums, _ := st.set.Nums()
		if err != nil || len(res) != len(nums) {
			t.Errorf("STORE %v +FLAGS (%s): %d responses, %v", st.set, st.flag, len(res), err)
			continue
		}
		for _, r := range res {
			if !slices.Equal(r.Flags, []goimap.Flag{st.flag, flagRecent}) {
				t.Errorf("STORE %v +FLAGS (%s): message %d now has %v", st.set, st.flag, r.SeqNum, r.Flags)
			}
		}
	}
	for _, sc := range []struct {
		name string
		uid  bool
		crit goimap.SearchCriteria
		want []uint32
	}{
		{"FLAGGED", false, goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagFlagged}}, []uint32{2}},
		{"UID DELETED", true, goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagDeleted}}, []uint32{4, 5}},
		{"NOT SEEN NOT DELETED 1:4", false, goimap.SearchCriteria{SeqNum: []goimap.SeqSet{seqRange(1, 4)},
			NotFlag: []goimap.Flag{goimap.FlagSeen, goimap.FlagDeleted}}, []uint32{1, 2}},
		{"HEADER FROM heidi.kowalski", false, goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "heidi.kowalski"}}}, []uint32{1}},
		{"BODY escaped this line", false, goimap.SearchCriteria{Body: []string{"escaped this line"}}, []uint32{11}},
	} {
		var res *goimap.SearchData
		var err error
		if sc.uid {
			res, err = c.UIDSearch(&sc.crit, nil).Wait()
		} else {
			res, err = c.Search(&sc.crit, nil).Wait()
		}
		var got []uint32
		if err == nil {
			got = res.AllSeqNums()
			if sc.uid {
				for _, u := range res.AllUIDs() {
					got = append(got, uint32(u))
				}
			}
		}
		if err != nil || !slices.Equal(got, sc.want) {
			t.Errorf("SEARCH %s: %v, %v; want %v", sc.name, got, err, sc.want)
		}
	}
}

// goimapAppend APPENDs appendedMsg with \Seen, then NOOP must report
// it (EXISTS) and FETCH must give back its bytes.
func goimapAppend(t *testing.T, e *interopEnv, c *imapclient.Client) {
	t.Helper()
	date := time.Date(2024, 3, 1, 8, 30, 0, 0, time.FixedZone("", -5*3600))
	ap := c.Append("INBOX", int64(len(appendedMsg)), &goimap.AppendOptions{Flags: []goimap.Flag{goimap.FlagSeen}, Time: date})
	if _, err := ap.Write([]byte(appendedMsg)); err != nil {
		t.Fatal(err)
	}
	if err := ap.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ap.Wait(); err != nil {
		t.Fatalf("APPEND: %v", err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatalf("NOOP: %v", err)
	}
	n := uint32(len(e.want) + 1)
	if got := c.Mailbox().NumMessages; got != n {
		t.Fatalf("after APPEND and NOOP the client knows %d messages, want %d", got, n)
	}
	sec := &goimap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(goimap.SeqSetNum(n), &goimap.FetchOptions{UID: true, Flags: true, InternalDate: true,
		BodySection: []*goimap.FetchItemBodySection{sec}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH %d: %v, %v", n, msgs, err)
	}
	m := msgs[0]
	if string(m.FindBodySection(sec)) != appendedMsg || m.UID != goimap.UID(n) ||
		!slices.Equal(m.Flags, []goimap.Flag{goimap.FlagSeen, flagRecent}) || !m.InternalDate.Equal(date) {
		t.Errorf("appended message: UID %d FLAGS %v INTERNALDATE %v BODY[] %q; want UID %d, \\Seen, %v, %q",
			m.UID, m.Flags, m.InternalDate, m.FindBodySection(sec), n, date, appendedMsg)
	}
}

// goimapIdle selects INBOX in a second session (implicit TLS), IDLEs,
// delivers deliveredMsg and waits for the EXISTS that announces it.
func goimapIdle(t *testing.T, e *interopEnv, have uint32) {
	t.Helper()
	exists := make(chan uint32, 16)
	c, err := imapclient.DialTLS(e.tlsAddr, &imapclient.Options{TLSConfig: e.cert.Client,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ioUser, ioPass).Wait(); err != nil {
		t.Fatalf("LOGIN over TLS: %v", err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != have {
		t.Fatalf("second SELECT: %v, %v; want %d messages", sel, err, have)
	}
	for len(exists) > 0 {
		<-exists // SELECT's own EXISTS
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	if err := mbox.Append(e.mbox, []byte(deliveredUnix()), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-exists:
		if got != have+1 {
			t.Errorf("IDLE: EXISTS %d, want %d", got, have+1)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("IDLE: no EXISTS within 10 s of a delivery")
	}
	if err := idle.Close(); err != nil {
		t.Fatalf("DONE: %v", err)
	}
	if err := idle.Wait(); err != nil {
		t.Errorf("IDLE completion: %v", err)
	}
	sec := &goimap.FetchItemBodySection{}
	msgs, err := c.Fetch(goimap.SeqSetNum(have+1), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{sec}}).Collect()
	if want := strings.ReplaceAll(deliveredMsg, "\n", "\r\n"); err != nil || len(msgs) != 1 || string(msgs[0].FindBodySection(sec)) != want {
		t.Errorf("FETCH of the delivered message: %v, %v; want %q", msgs, err, want)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
}

// TestInteropGoIMAPStructure EXAMINEs the mailbox over implicit TLS
// and FETCHes ENVELOPE, BODYSTRUCTURE and BODY.PEEK[1] of every
// message, compared with an independent parse of the stored bytes
// (interop_mime_test.go).
func TestInteropGoIMAPStructure(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c := e.goimapLogin()
	if _, err := c.Select("INBOX", &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("EXAMINE: %v", err)
	}
	part1 := &goimap.FetchItemBodySection{Peek: true, Part: []int{1}}
	msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{Envelope: true,
		BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*goimap.FetchItemBodySection{part1}}).Collect()
	if err != nil || len(msgs) != len(e.want) {
		t.Fatalf("FETCH 1:*: %d messages, %v; want %d", len(msgs), err, len(e.want))
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	for i, m := range msgs {
		if got, want := describeEnvelope(m.Envelope), expectEnvelopes(e.want[i].wire); got != want[0] && got != want[1] {
			t.Errorf("message %d ENVELOPE:\n got  %s\n want %s", i+1, got, want[0])
		}
	}
	e.checkKept()
	// EXAMINE records the UIDs it gave out and keeps \Recent for the
	// next SELECT (commit in selected.go).
	e.checkImp(uint32(len(e.want)+1), e.impAll(everyMsg, flagsAll("-----r--")))
	var bodies [][]byte
	for i, m := range msgs {
		if got, want := describeStructure(m.BodyStructure), expectStructure(e.want[i].wire); got != want {
			t.Errorf("message %d BODYSTRUCTURE:\n got  %s\n want %s", i+1, got, want)
		}
		bodies = append(bodies, m.FindBodySection(part1))
	}
	e.checkMessages(bodies, func(m storedMsg) []byte { return expectPart1(m.wire) })
}

// seqRange is the set start:stop, stop 0 meaning "*".
func seqRange(start, stop uint32) goimap.SeqSet {
	var s goimap.SeqSet
	s.AddRange(start, stop)
	return s
}

// deliveredUnix is deliveredMsg as mbox.Format writes it.
func deliveredUnix() string {
	var b bytes.Buffer
	mbox.Format(&b, "ken@example.com", time.Date(2024, 3, 2, 9, 0, 0, 0, time.UTC), []byte(deliveredMsg))
	return b.String()
}

// TestInteropGoIMAPMoveBack moves the last message to another mailbox
// and back, as a client without MOVE does it (COPY, STORE \Deleted,
// EXPUNGE), in separate sessions. Back in INBOX it is a new message: a
// new UID, no flags but \Recent (RFC 3501 §2.3.1.1: a UID is never
// given twice under one UIDVALIDITY).
func TestInteropGoIMAPMoveBack(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	n := uint32(len(e.want))
	move := func(from, to string, seq uint32) {
		e.onServerBox(from, func(c *imapclient.Client) error {
			if _, err := c.Copy(goimap.SeqSetNum(seq), to).Wait(); err != nil {
				return err
			}
			if err := c.Store(goimap.SeqSetNum(seq), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd,
				Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
				return err
			}
			return c.Expunge().Close()
		})
	}
	e.onServer(func(c *imapclient.Client) error { return c.Create("saved", nil).Wait() })
	move("INBOX", "saved", n)
	move("saved", "INBOX", 1)
	e.onServer(func(c *imapclient.Client) error {
		msgs, err := c.Fetch(goimap.SeqSetNum(n), &goimap.FetchOptions{UID: true, Flags: true}).Collect()
		if err != nil {
			return err
		}
		if len(msgs) != 1 {
			return fmt.Errorf("FETCH %d: %d messages", n, len(msgs))
		}
		if m := msgs[0]; m.UID != goimap.UID(n+1) || !slices.Equal(m.Flags, []goimap.Flag{flagRecent}) {
			t.Errorf("message moved back: UID %d, FLAGS %v; want UID %d, FLAGS (\\Recent)", m.UID, m.Flags, n+1)
		}
		return nil
	})
	e.checkMailbox(e.orig)
}

// TestInteropGoIMAPMove: go-imap's Move uses MOVE when announced (RFC
// 6851): the messages leave INBOX with EXPUNGE responses and arrive in
// the destination with the UIDs the COPYUID code gave.
func TestInteropGoIMAPMove(t *testing.T) {
	e := newInteropEnv(t, false, nil)
	c := e.goimapLogin()
	if !c.Caps().Has(goimap.CapMove) {
		t.Fatal("MOVE not announced")
	}
	if err := c.Create("moved", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.Move(seqRange(2, 3), "moved").Wait()
	if err != nil {
		t.Fatalf("MOVE 2:3: %v", err)
	}
	if data.UIDValidity == 0 || fmt.Sprint(data.SourceUIDs) != "2:3" || fmt.Sprint(data.DestUIDs) != "1:2" {
		t.Errorf("MOVE 2:3: COPYUID %d %v %v, want source 2:3, destination 1:2", data.UIDValidity, data.SourceUIDs, data.DestUIDs)
	}
	sel, err := c.Select("moved", nil).Wait()
	if err != nil || sel.NumMessages != 2 {
		t.Fatalf("SELECT moved: %v, %v; want 2 messages", sel, err)
	}
	msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != 2 {
		t.Fatalf("FETCH: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		compareMessage(t, fmt.Sprintf("moved message %d", i+1), m.FindBodySection(&goimap.FetchItemBodySection{Peek: true}), e.want[i+1].wire)
	}
	sel, err = c.Select("INBOX", nil).Wait()
	if err != nil || int(sel.NumMessages) != len(e.want)-2 {
		t.Fatalf("SELECT INBOX: %v, %v; want %d messages", sel, err, len(e.want)-2)
	}
}

// goimapLogin connects to e's implicit-TLS port with go-imap and logs
// in; the connection is closed when the test ends.
func (e *interopEnv) goimapLogin() *imapclient.Client {
	e.t.Helper()
	c, err := imapclient.DialTLS(e.tlsAddr, &imapclient.Options{TLSConfig: e.cert.Client})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	if err := c.Login(ioUser, ioPass).Wait(); err != nil {
		e.t.Fatalf("LOGIN over TLS: %v", err)
	}
	return c
}
