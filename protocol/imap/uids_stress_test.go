package imap_test

import (
	"bufio"
	"fmt"
	"math/rand"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// uidLog is every UID-to-message pairing any session was told, with
// the first disagreement: RFC 3501 §2.3.1.1 lets a UID name one
// message only, and a message keep one UID, under one UIDVALIDITY.
type uidLog struct {
	mu    sync.Mutex
	byUID map[uint32]string // UID → Message-ID
	byID  map[string]uint32 // Message-ID → UID
	errs  []string
	said  map[string]bool // errs, by what they say (not where)
}

// fail notes a disagreement once, with where it was first seen.
func (l *uidLog) fail(what, where string) {
	if !l.said[what] {
		l.said[what] = true
		l.errs = append(l.errs, where+": "+what)
	}
}

func (l *uidLog) record(uid uint32, id, where string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.byUID[uid]; ok && old != id {
		l.fail(fmt.Sprintf("UID %d is %s, was %s", uid, id, old), where)
	}
	if old, ok := l.byID[id]; ok && old != uid {
		l.fail(fmt.Sprintf("%s has UID %d, had %d", id, uid, old), where)
	}
	if _, ok := l.byUID[uid]; !ok {
		l.byUID[uid] = id
	}
	if _, ok := l.byID[id]; !ok {
		l.byID[id] = uid
	}
}

// A stressRun is what the sessions of one TestStressUIDs run share.
type stressRun struct {
	dial  func(sel string) (*stressClient, error) // a logged-in session, sel ("SELECT", "EXAMINE") INBOX if not ""
	log   *uidLog
	given sync.Map // APPENDUID and COPYUID UIDs → Message-ID
	// Messages added with OK but no UIDPLUS code: allowed only with two
	// servers, where the other may expunge a message before its adder
	// has learnt its UID (RFC 4315 §3 lets a server omit the code).
	unknown atomic.Int32
}

var (
	fetchIDRE   = regexp.MustCompile(`(?s)^\* \d+ FETCH \(UID (\d+) BODY\[HEADER\.FIELDS \(MESSAGE-ID\)\] \{\d+\}<literal .*?(?i:message-id): <([^>]+)>`)
	appendUIDRE = regexp.MustCompile(`^OK \[APPENDUID (\d+) (\d+)\]`)
	uidNextRE   = regexp.MustCompile(`^\* STATUS \S+ \(.*UIDNEXT (\d+)`)
)

// fetchUIDs runs UID FETCH 1:* in the selected mailbox and records
// each UID with its message's Message-ID; it returns the UIDs.
func (sc *stressClient) fetchUIDs(l *uidLog, where string) ([]uint32, error) {
	sc.keep = true
	defer func() { sc.keep = false }()
	reply, err := sc.cmd("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(reply, "OK") {
		return nil, fmt.Errorf("%s: UID FETCH: %s", where, reply)
	}
	var uids []uint32
	for _, line := range sc.lines {
		if m := fetchIDRE.FindStringSubmatch(line); m != nil {
			uid, _ := strconv.ParseUint(m[1], 10, 32)
			l.record(uint32(uid), m[2], where)
			uids = append(uids, uint32(uid))
		}
	}
	return uids, nil
}

// uidNext asks STATUS for INBOX's UIDNEXT.
func (sc *stressClient) uidNext() (uint32, error) {
	sc.keep = true
	defer func() { sc.keep = false }()
	reply, err := sc.cmd("STATUS INBOX (UIDNEXT)")
	if err != nil {
		return 0, err
	}
	for _, line := range sc.lines {
		if m := uidNextRE.FindStringSubmatch(line); m != nil && strings.HasPrefix(reply, "OK") {
			n, _ := strconv.ParseUint(m[1], 10, 32)
			return uint32(n), nil
		}
	}
	return 0, fmt.Errorf("STATUS: %s %q", reply, sc.lines)
}

// TestStressUIDs runs sessions that APPEND to INBOX without selecting
// it and one that COPYs and MOVEs to it from another mailbox, while
// others expunge it and others read its UIDs, under -race, and checks
// UIDPLUS and UID stability (RFC 4315 §3, RFC 3501 §2.3.1.1): every
// APPENDUID and COPYUID names the added message for as long as anyone
// sees that UID; no UID ever names two messages, nor a message two
// UIDs, in any session; and UIDNEXT grows by exactly the number of
// messages that got UIDs. With two servers, each with its own
// emulator over the mail root, as two processes would be, the sessions
// take turns at them.
func TestStressUIDs(t *testing.T) {
	for _, servers := range []int{1, 2} {
		t.Run(fmt.Sprintf("servers=%d", servers), func(t *testing.T) { stressUIDs(t, servers) })
	}
}

func stressUIDs(t *testing.T, servers int) {
	const appenders, perAppender, copied, expungers, readers = 3, 20, 20, 2, 2
	var initial, feed strings.Builder
	for i := range 5 {
		fmt.Fprintf(&initial, "From glenda Thu Dec  3 10:00:0%d 2026\nMessage-ID: <init.%d@uids>\n\nbody\n\n", i, i)
	}
	for i := range copied {
		fmt.Fprintf(&feed, "From rob Thu Dec  3 09:00:%02d 2026\nMessage-ID: <c.%d@uids>\n\nbody %d\n\n", i, i, i)
	}
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", []byte(initial.String()))
	testenv.WriteFixture(t, root, "glenda", "feed", []byte(feed.String()))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for range servers {
		srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go srv.Serve(ln, false)
		addrs = append(addrs, ln.Addr().String())
	}
	log := &uidLog{byUID: map[uint32]string{}, byID: map[string]uint32{}, said: map[string]bool{}}
	var dials atomic.Int32
	dial := func(sel string) (*stressClient, error) {
		c, err := net.Dial("tcp", addrs[int(dials.Add(1))%len(addrs)])
		if err != nil {
			return nil, err
		}
		sc := &stressClient{c: c, r: bufio.NewReader(c)}
		if _, err := sc.r.ReadString('\n'); err != nil {
			return nil, err
		}
		if r, err := sc.cmd("LOGIN glenda pw"); err != nil || !strings.HasPrefix(r, "OK") {
			return nil, fmt.Errorf("LOGIN: %s %v", r, err)
		}
		if sel != "" {
			if r, err := sc.cmd(sel + " INBOX"); err != nil || !strings.HasPrefix(r, "OK") {
				return nil, fmt.Errorf("%s: %s %v", sel, r, err)
			}
		}
		return sc, nil
	}

	// The initial messages get their UIDs; count from UIDNEXT then.
	sc, err := dial("SELECT")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.fetchUIDs(log, "start"); err != nil {
		t.Fatal(err)
	}
	sc.cmd("LOGOUT")
	sc.c.Close()
	if sc, err = dial(""); err != nil {
		t.Fatal(err)
	}
	next0, err := sc.uidNext()
	if err != nil {
		t.Fatal(err)
	}
	sc.cmd("LOGOUT")
	sc.c.Close()

	deadline := time.Now().Add(60 * time.Second)
	done := make(chan struct{})
	errs := make(chan error, appenders+1+expungers+readers)
	var wg, others sync.WaitGroup
	run := &stressRun{dial: dial, log: log}
	for a := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- run.append(a, perAppender)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- run.copy(copied)
	}()
	for e := range expungers {
		others.Add(1)
		go func() {
			defer others.Done()
			errs <- stressExpunge(dial, log, done, int64(e))
		}()
	}
	for r := range readers {
		others.Add(1)
		go func() {
			defer others.Done()
			errs <- stressRead(dial, log, done, r%2 == 0, deadline)
		}()
	}
	wg.Wait()
	close(done)
	others.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if time.Now().After(deadline) {
		t.Errorf("took more than 60 s")
	}

	// A session after all of it sees each appended message under its
	// APPENDUID, or not at all (expunged).
	if sc, err = dial("SELECT"); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.fetchUIDs(log, "end"); err != nil {
		t.Fatal(err)
	}
	sc.cmd("LOGOUT")
	sc.c.Close()
	if sc, err = dial(""); err != nil {
		t.Fatal(err)
	}
	next1, err := sc.uidNext()
	if err != nil {
		t.Fatal(err)
	}
	sc.cmd("LOGOUT")
	sc.c.Close()

	for _, e := range log.errs {
		t.Error(e)
	}
	added := appenders*perAppender + copied
	n := 0
	run.given.Range(func(k, v any) bool { n++; return true })
	unknown := int(run.unknown.Load())
	if n+unknown != added || servers == 1 && unknown > 0 {
		t.Errorf("%d APPENDUIDs and COPYUIDs and %d OKs without for %d messages added", n, unknown, added)
	}
	seen := 0
	for uid := range log.byUID {
		if uid >= next0 {
			seen++
		}
	}
	if next1-next0 != uint32(added) || seen != added {
		t.Errorf("UIDNEXT went from %d to %d, %d UIDs seen from %d on, for %d messages added", next0, next1, seen, next0, added)
	}
	t.Logf("UIDNEXT %d -> %d, %d UIDs seen", next0, next1, len(log.byUID))
}

// append appends n messages with unique Message-IDs, and records
// the UID each APPENDUID names for it.
func (run *stressRun) append(a, n int) error {
	sc, err := run.dial("")
	if err != nil {
		return err
	}
	defer sc.c.Close()
	for i := range n {
		id := fmt.Sprintf("a.%d.%d@uids", a, i)
		m := fmt.Sprintf("Subject: uids\r\nMessage-ID: <%s>\r\n\r\nbody %d %d\r\n", id, a, i)
		reply, err := sc.cmd("APPEND INBOX {%d+}\r\n%s", len(m), m)
		if err != nil {
			return err
		}
		um := appendUIDRE.FindStringSubmatch(reply)
		switch {
		case um != nil:
			uid, _ := strconv.ParseUint(um[2], 10, 32)
			if err := run.got(uint32(uid), id, "APPENDUID"); err != nil {
				return err
			}
		case strings.HasPrefix(reply, "OK"):
			run.unknown.Add(1)
		default:
			return fmt.Errorf("APPEND %s: %s", id, reply)
		}
	}
	_, err = sc.cmd("LOGOUT")
	return err
}

var copyUIDRE = regexp.MustCompile(`\[COPYUID \d+ (\d+) (\d+)\]`)

// copy copies the n messages of the mailbox feed to INBOX one by
// one, every other one by MOVE, and records the UID each COPYUID names
// for its copy (RFC 4315 §3, RFC 6851 §4.3).
func (run *stressRun) copy(n int) error {
	sc, err := run.dial("")
	if err != nil {
		return err
	}
	defer sc.c.Close()
	if r, err := sc.cmd("SELECT feed"); err != nil || !strings.HasPrefix(r, "OK") {
		return fmt.Errorf("SELECT feed: %s %v", r, err)
	}
	sc.keep = true
	for i := range n {
		id := fmt.Sprintf("c.%d@uids", i)
		verb := "COPY"
		if i%2 == 1 {
			verb = "MOVE"
		}
		reply, err := sc.cmd("UID %s %d INBOX", verb, i+1)
		if err != nil {
			return err
		}
		code := reply
		for _, l := range sc.lines {
			if strings.HasPrefix(l, "* OK [COPYUID") {
				code = l
			}
		}
		m := copyUIDRE.FindStringSubmatch(code)
		switch {
		case !strings.HasPrefix(reply, "OK") || m != nil && m[1] != strconv.Itoa(i+1):
			return fmt.Errorf("UID %s %d: %s %q", verb, i+1, reply, sc.lines)
		case m == nil:
			run.unknown.Add(1)
		default:
			uid, _ := strconv.ParseUint(m[2], 10, 32)
			if err := run.got(uint32(uid), id, "COPYUID"); err != nil {
				return err
			}
		}
	}
	_, err = sc.cmd("LOGOUT")
	return err
}

// got records the UID an APPENDUID or COPYUID (code) gave for id.
func (run *stressRun) got(uid uint32, id, code string) error {
	if old, dup := run.given.LoadOrStore(uid, id); dup {
		return fmt.Errorf("%s %d for %s, given before for %s", code, uid, id, old)
	}
	run.log.record(uid, id, code)
	return nil
}

// stressExpunge deletes one of the messages it sees, mostly the
// newest, about every other round, until done.
func stressExpunge(dial func(string) (*stressClient, error), log *uidLog, done <-chan struct{}, seed int64) error {
	sc, err := dial("SELECT")
	if err != nil {
		return err
	}
	defer sc.c.Close()
	rng := rand.New(rand.NewSource(seed))
	for {
		select {
		case <-done:
			_, err := sc.cmd("LOGOUT")
			return err
		default:
		}
		uids, err := sc.fetchUIDs(log, fmt.Sprintf("expunger %d", seed))
		if err != nil {
			return err
		}
		if len(uids) == 0 || rng.Intn(2) == 0 {
			if _, err := sc.cmd("NOOP"); err != nil {
				return err
			}
			continue
		}
		u := uids[len(uids)-1]
		if rng.Intn(3) == 0 {
			u = uids[rng.Intn(len(uids))]
		}
		for _, c := range []string{fmt.Sprintf("UID STORE %d +FLAGS.SILENT (\\Deleted)", u), "EXPUNGE"} {
			reply, err := sc.cmd("%s", c)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(reply, "OK") {
				return fmt.Errorf("expunger %d: %s: %s", seed, c, reply)
			}
		}
	}
}

// stressRead reads UIDs until done: from one SELECT held open (held),
// or from a new EXAMINE each round after a STATUS, whose UIDNEXT may
// never go down.
func stressRead(dial func(string) (*stressClient, error), log *uidLog, done <-chan struct{}, held bool, deadline time.Time) error {
	sel := "EXAMINE"
	if held {
		sel = "SELECT"
	}
	sc, err := dial(sel)
	if err != nil {
		return err
	}
	defer sc.c.Close()
	var last uint32
	for time.Now().Before(deadline) {
		select {
		case <-done:
			_, err := sc.cmd("LOGOUT")
			return err
		default:
		}
		where := "reader " + sel
		if _, err := sc.fetchUIDs(log, where); err != nil {
			return err
		}
		if held {
			if _, err := sc.cmd("NOOP"); err != nil {
				return err
			}
			continue
		}
		if _, err := sc.cmd("UNSELECT"); err != nil {
			return err
		}
		next, err := sc.uidNext()
		if err != nil {
			return err
		}
		if next < last {
			return fmt.Errorf("STATUS UIDNEXT %d after %d", next, last)
		}
		last = next
		if r, err := sc.cmd("EXAMINE INBOX"); err != nil || !strings.HasPrefix(r, "OK") {
			return fmt.Errorf("EXAMINE: %s %v", r, err)
		}
	}
	return fmt.Errorf("reader %s: past the deadline", sel)
}
