//go:build unix

package campaign

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
)

// A client is one stress client: it keeps the UID of every message
// sequence number it was told of (0 until a FETCH names it), as
// imaptest does, and checks every untagged response against that.
type client struct {
	s     *stress
	addr  string
	box   string
	id    int
	rng   *rand.Rand
	local net.Addr

	c        *IMAP
	selected bool
	leaving  bool
	validity int64
	uids     []int64 // by sequence number - 1; 0: not yet known
	appended int
}

func (c *client) errorf(format string, args ...any) {
	c.s.errorf("client %d (%s): %s", c.id, c.box, fmt.Sprintf(format, args...))
}

// connect logs in and, if sel, selects the client's mailbox and learns
// its UIDs.
func (c *client) connect(sel bool) error {
	conn, err := DialIMAP(c.addr, c.local, 60*time.Second)
	if err != nil {
		return err
	}
	c.c, c.selected, c.leaving, c.uids, c.validity = conn, false, false, nil, 0
	if err := conn.Login("glenda", "pw"); err != nil {
		conn.Close()
		return err
	}
	c.s.op("LOGIN")
	if !sel {
		return nil
	}
	return c.selectBox()
}

func (c *client) selectBox() error {
	c.uids, c.validity, c.selected = nil, 0, false
	st, err := c.c.Command("SELECT "+c.box, nil, c.untagged)
	if err != nil || st.Cond != "OK" {
		return fmt.Errorf("SELECT: %v %v", st, err)
	}
	c.s.op("SELECT")
	c.selected = true
	c.s.mu.Lock()
	v, ok := c.s.valid[c.box]
	if !ok {
		c.s.valid[c.box] = c.validity
	}
	c.s.mu.Unlock()
	if ok && v != c.validity {
		c.errorf("UIDVALIDITY %d, another session had %d", c.validity, v)
	}
	if len(c.uids) > 0 {
		c.cmd("FETCH", "FETCH 1:* (UID FLAGS)")
	}
	return nil
}

// untagged checks one untagged response against what the client knows.
func (c *client) untagged(r *Resp) error {
	if c.s.cfg.Tamper != nil {
		c.s.cfg.Tamper(r)
	}
	n, kind, rest := Untagged(r)
	switch kind {
	case "EXISTS":
		if int(n) < len(c.uids) {
			c.errorf("%d EXISTS after %d without EXPUNGE", n, len(c.uids))
			c.uids = c.uids[:n]
		}
		for len(c.uids) < int(n) {
			c.uids = append(c.uids, 0)
		}
	case "EXPUNGE":
		if n < 1 || int(n) > len(c.uids) {
			c.errorf("%q with %d messages known", r.Raw, len(c.uids))
			return nil
		}
		c.uids = append(c.uids[:n-1], c.uids[n:]...)
	case "FETCH":
		if n < 1 || int(n) > len(c.uids) {
			c.errorf("FETCH of message %d with %d known", n, len(c.uids))
			return nil
		}
		items, err := FetchItems(rest)
		if err != nil {
			c.errorf("FETCH response %q: %v", head(r.Raw), err)
			return nil
		}
		c.fetched(int(n), items)
	case "BYE":
		if !c.leaving {
			c.errorf("unexpected %q", r.Raw)
		}
	case "OK":
		code := RespCode(string(rest))
		if v, ok := strings.CutPrefix(code, "UIDVALIDITY "); ok {
			c.validity, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return nil
}

// fetched checks a FETCH response's UID (never changing for a sequence
// number, ascending with it) and body (never changing for a UID).
func (c *client) fetched(n int, items map[string]Value) {
	uv, ok := items["UID"]
	if !ok {
		return
	}
	u := uv.Num()
	if u <= 0 {
		c.errorf("message %d: UID %q", n, uv.Atom)
		return
	}
	if old := c.uids[n-1]; old != 0 && old != u {
		c.errorf("message %d: UID %d, was %d", n, u, old)
		return
	}
	for i := n - 2; i >= 0; i-- {
		if c.uids[i] != 0 {
			if c.uids[i] >= u {
				c.errorf("message %d: UID %d not above message %d's UID %d", n, u, i+1, c.uids[i])
			}
			break
		}
	}
	for i := n; i < len(c.uids); i++ {
		if c.uids[i] != 0 {
			if c.uids[i] <= u {
				c.errorf("message %d: UID %d not below message %d's UID %d", n, u, i+1, c.uids[i])
			}
			break
		}
	}
	c.uids[n-1] = u
	if b, ok := items["BODY[]"]; ok && b.IsStr {
		c.s.body(c.box, c.validity, u, sum(b.Str), false)
	}
}

// cmd runs a command and checks its reply: OK, or NO where RFC 2180
// allows it (FETCH and STORE of messages another session expunged).
func (c *client) cmd(verb, command string) (Status, bool) {
	return c.cmdLit(verb, command, nil)
}

func (c *client) cmdLit(verb, command string, lit []byte) (Status, bool) {
	st, err := c.c.Command(command, lit, c.untagged)
	switch {
	case err != nil:
		c.errorf("%s: %v", verb, err)
		c.drop()
		return st, false
	case st.Cond == "OK":
		c.s.op(verb)
		return st, true
	case st.Cond == "NO" && (verb == "FETCH" || verb == "STORE"):
		c.s.mu.Lock()
		c.s.res.AllowedNO[verb+" "+st.Text]++
		c.s.mu.Unlock()
		return st, false
	}
	c.errorf("%s: %s", verb, st)
	return st, false
}

func (c *client) drop() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

func (c *client) logout() {
	if c.c == nil {
		return
	}
	c.leaving = true
	c.cmd("LOGOUT", "LOGOUT")
	c.drop()
}

// run does random commands until deadline, then logs out.
func (c *client) run(deadline time.Time) {
	defer c.logout()
	for i := 0; time.Now().Before(deadline) && i < 1_000_000; i++ {
		if c.c == nil {
			if err := c.connect(c.rng.IntN(10) != 0); err != nil {
				c.errorf("connect: %v", err)
				c.drop()
				time.Sleep(100 * time.Millisecond)
				continue
			}
		}
		c.step(deadline)
	}
}

func (c *client) step(deadline time.Time) {
	r := c.rng.IntN(100)
	n := len(c.uids)
	if !c.selected {
		// A session that never selects: APPEND beside the others'
		// expunges (the known APPENDUID bug's setting).
		switch {
		case r < 80:
			c.appendOne()
		case r < 90:
			c.cmd("NOOP", "NOOP")
		default:
			c.logout()
		}
		return
	}
	k := 1 + c.rng.IntN(max(n, 1))
	switch {
	case r < 20:
		if n > 0 {
			c.cmd("FETCH", "FETCH 1:* (UID FLAGS)")
		}
	case r < 40:
		if n > 0 {
			c.cmd("FETCH", fmt.Sprintf("FETCH %d:%d (UID BODY.PEEK[])", k, min(k+2, n)))
		}
	case r < 55:
		if n > 0 {
			op := []string{"+FLAGS (\\Seen)", "-FLAGS (\\Seen)", "+FLAGS (\\Flagged)", "-FLAGS (\\Flagged)"}[c.rng.IntN(4)]
			c.cmd("STORE", fmt.Sprintf("STORE %d %s", k, op))
		}
	case r < 65:
		c.appendOne()
	case r < 73:
		if n > 0 {
			if _, ok := c.cmd("STORE", fmt.Sprintf("STORE %d +FLAGS.SILENT (\\Deleted)", k)); ok && c.c != nil {
				c.cmd("EXPUNGE", "EXPUNGE")
			}
		}
	case r < 85:
		c.cmd("NOOP", "NOOP")
	case r < 90:
		d := time.Duration(50+c.rng.IntN(150)) * time.Millisecond
		if time.Until(deadline) > d {
			st, err := c.c.Idle(d, c.untagged)
			if err != nil || st.Cond != "OK" {
				c.errorf("IDLE: %v %v", st, err)
				c.drop()
				return
			}
			c.s.op("IDLE")
		}
	case r < 95:
		c.logout()
	default:
		if err := c.selectBox(); err != nil {
			c.errorf("%v", err)
			c.drop()
		}
	}
}

// appendOne appends a fresh message to the client's mailbox and
// records the body of the UID APPENDUID names.
func (c *client) appendOne() {
	c.appended++
	msg := CRLF(Message(fmt.Sprintf("s%d-%d@stress", c.id, c.appended)))
	st, ok := c.cmdLit("APPEND", "APPEND "+c.box, msg)
	if !ok {
		return
	}
	f := strings.Fields(RespCode(st.Text))
	if len(f) != 3 || f[0] != "APPENDUID" {
		c.errorf("APPEND: no APPENDUID in %q", st.Text)
		return
	}
	v, err1 := strconv.ParseInt(f[1], 10, 64)
	u, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		c.errorf("APPEND: bad APPENDUID %q", st.Text)
		return
	}
	c.s.body(c.box, v, u, sum(msg), true)
}
