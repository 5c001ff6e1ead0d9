//go:build unix

package campaign

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The crash campaign's mailboxes: IMAP name and file.
var boxes = []struct{ Name, File string }{{"INBOX", "mbox"}, {"saved", "saved"}}

// span is how many copies of a message a mailbox may hold: lo to hi.
type span struct{ lo, hi int }

// A model is what the clients were told: for each mailbox and
// Message-ID how many copies it may hold, the \Flagged state an
// acknowledged STORE set, the UIDs APPENDUID and COPYUID gave, and the
// last snapshot's UIDs.
type model struct {
	want     map[string]map[string]span
	flagged  map[string]map[string]bool // acknowledged \Flagged state
	unsure   map[string]map[string]bool // a STORE was in flight
	gaveUID  map[string]map[string]int64
	moving   map[string]bool // a MOVE INBOX->saved was in flight
	snap     map[string]*boxSnap
	validity map[string]int64
	impState map[string]string // the .imp files as the last kill left them
	damaged  map[string]bool   // damaged messages already reported
}

func newModel() *model {
	m := &model{moving: map[string]bool{}, validity: map[string]int64{}, damaged: map[string]bool{}}
	m.reset()
	return m
}

func (m *model) reset() {
	m.want, m.flagged, m.unsure, m.gaveUID = map[string]map[string]span{}, map[string]map[string]bool{}, map[string]map[string]bool{}, map[string]map[string]int64{}
	for _, b := range boxes {
		m.want[b.Name], m.flagged[b.Name], m.unsure[b.Name], m.gaveUID[b.Name] = map[string]span{}, map[string]bool{}, map[string]bool{}, map[string]int64{}
	}
	m.moving = map[string]bool{}
}

func (m *model) set(box, id string, lo, hi int) { m.want[box][id] = span{lo, hi} }

// A boxSnap is what a checking session saw of one mailbox.
type boxSnap struct {
	validity int64
	uid      map[string]int64 // by Message-ID
	dup      []string         // Message-IDs seen twice
	flagged  map[string]bool
	deleted  []int64 // UIDs with \Deleted
	list     []msgRef
	maxUID   int64
}

type msgRef struct {
	uid int64
	id  string
}

// snapshot logs in as glenda and reads every mailbox (SELECT, then UID
// FETCH 1:* of UID, FLAGS and Message-ID), clearing \Deleted flags so
// that only the next trial's own EXPUNGE can remove a message.
func snapshot(addr string) (map[string]*boxSnap, error) {
	c, err := DialIMAP(addr, nil, 30*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login("glenda", "pw"); err != nil {
		return nil, err
	}
	out := map[string]*boxSnap{}
	for _, b := range boxes {
		s := &boxSnap{uid: map[string]int64{}, flagged: map[string]bool{}}
		exists := int64(0)
		st, err := c.Command("SELECT "+b.Name, nil, func(r *Resp) error {
			n, kind, rest := Untagged(r)
			if kind == "EXISTS" {
				exists = n
			}
			if code := RespCode(string(rest)); kind == "OK" && strings.HasPrefix(code, "UIDVALIDITY ") {
				fmt.Sscan(strings.TrimPrefix(code, "UIDVALIDITY "), &s.validity)
			}
			return nil
		})
		if err != nil || st.Cond != "OK" {
			return nil, fmt.Errorf("SELECT %s: %v %v", b.Name, st, err)
		}
		if exists > 0 {
			st, err = c.Command("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", nil, func(r *Resp) error {
				return s.add(r)
			})
			if err != nil || st.Cond != "OK" {
				return nil, fmt.Errorf("UID FETCH in %s: %v %v", b.Name, st, err)
			}
		}
		for _, u := range s.deleted {
			st, err := c.Command(fmt.Sprintf("UID STORE %d -FLAGS.SILENT (\\Deleted)", u), nil, nil)
			if err != nil || st.Cond != "OK" {
				return nil, fmt.Errorf("UID STORE -\\Deleted: %v %v", st, err)
			}
		}
		out[b.Name] = s
	}
	c.Command("LOGOUT", nil, nil)
	return out, nil
}

// add records one FETCH response of the snapshot.
func (s *boxSnap) add(r *Resp) error {
	_, kind, rest := Untagged(r)
	if kind != "FETCH" {
		return nil
	}
	items, err := FetchItems(rest)
	if err != nil {
		return err
	}
	uid := items["UID"].Num()
	var hdr []byte
	for k, v := range items {
		if strings.HasPrefix(k, "BODY[HEADER.FIELDS") {
			hdr = v.Str
		}
	}
	id := ""
	if m := msgIDRE.FindSubmatch(hdr); m != nil {
		id = string(m[1])
	}
	if uid <= 0 {
		return fmt.Errorf("FETCH without UID: %q", r.Raw)
	}
	if _, ok := s.uid[id]; ok {
		s.dup = append(s.dup, id)
	}
	s.uid[id] = uid
	s.maxUID = max(s.maxUID, uid)
	s.list = append(s.list, msgRef{uid, id})
	for _, f := range items["FLAGS"].Flags() {
		switch strings.ToLower(f) {
		case `\flagged`:
			s.flagged[id] = true
		case `\deleted`:
			s.deleted = append(s.deleted, uid)
		}
	}
	return nil
}

// check compares the mailbox files under dir and a fresh snapshot with
// the model, returns what is wrong, and makes the model what was found.
func (m *model) check(dir string, snap map[string]*boxSnap) []problem {
	var errs []problem
	bad := func(format string, args ...any) { errs = append(errs, problem{text: fmt.Sprintf(format, args...)}) }
	count := map[string]map[string]int{}
	for _, b := range boxes {
		data, err := os.ReadFile(filepath.Join(dir, b.File))
		if err != nil && !os.IsNotExist(err) {
			bad("%s: %v", b.Name, err)
			continue
		}
		es, err := ParseMbox(data)
		if err != nil {
			bad("%s: %v", b.Name, err)
		}
		cnt := map[string]int{}
		for _, e := range es {
			if !e.Good && !m.damaged[b.Name+" "+e.ID] {
				m.damaged[b.Name+" "+e.ID] = true
				bad("%s: damaged message at offset %d (Message-ID %q): %q", b.Name, e.Off, e.ID, e.Head)
			}
			cnt[e.ID]++
		}
		count[b.Name] = cnt
		s := snap[b.Name]
		// A kill that left the .imp empty or torn (cut inside a line,
		// as between two Twrites) loses UIDs and flags of the mailbox:
		// the known bug KnownImpTruncate.
		st := m.impState[b.Name]
		torn := strings.HasPrefix(st, "0 bytes") || strings.Contains(st, "no magic") || strings.Contains(st, "torn")
		badImp := func(format string, args ...any) {
			p := problem{text: fmt.Sprintf(format, args...)}
			if torn {
				p.known = KnownImpTruncate
			}
			errs = append(errs, p)
		}
		for id, n := range cnt {
			w, ok := m.want[b.Name][id]
			switch {
			case !ok:
				bad("%s: %d copies of <%s>, which no client sent there", b.Name, n, id)
			case n < w.lo || n > w.hi:
				bad("%s: %d copies of <%s>, want %d to %d", b.Name, n, id, w.lo, w.hi)
			}
		}
		for id, w := range m.want[b.Name] {
			if cnt[id] == 0 && w.lo > 0 {
				bad("%s: <%s> missing, acknowledged %d copies", b.Name, id, w.lo)
			}
		}
		// The server must show exactly the file's messages.
		for id, n := range cnt {
			if _, ok := s.uid[id]; !ok || n > 1 {
				if !ok {
					bad("%s: <%s> is in the file but not in UID FETCH 1:*", b.Name, id)
				}
			}
		}
		for id := range s.uid {
			if cnt[id] == 0 {
				bad("%s: UID FETCH shows <%s>, not in the file", b.Name, id)
			}
		}
		if prev := m.validity[b.Name]; prev != 0 && s.validity != prev {
			badImp("%s: UIDVALIDITY %d, was %d (the kill left its .imp: %s)", b.Name, s.validity, prev, m.impState[b.Name])
		}
		if old := m.snap[b.Name]; old != nil && s.validity == m.validity[b.Name] {
			for id, u := range s.uid {
				if ou, ok := old.uid[id]; ok && ou != u {
					badImp("%s: <%s> has UID %d, was %d", b.Name, id, u, ou)
				} else if !ok && u <= old.maxUID {
					badImp("%s: new message <%s> has UID %d, not above the last snapshot's %d", b.Name, id, u, old.maxUID)
				}
			}
		}
		for id, u := range m.gaveUID[b.Name] {
			if got, ok := s.uid[id]; ok && got != u {
				badImp("%s: <%s> has UID %d, APPENDUID/COPYUID said %d", b.Name, id, got, u)
			}
		}
		for id, f := range m.flagged[b.Name] {
			if _, present := s.uid[id]; present && !m.unsure[b.Name][id] && s.flagged[id] != f {
				badImp("%s: <%s> \\Flagged %v, an acknowledged STORE made it %v (the kill left its .imp: %s)", b.Name, id, s.flagged[id], f, m.impState[b.Name])
			}
		}
	}
	for id := range m.moving {
		if count["INBOX"][id]+count["saved"][id] == 0 {
			bad("<%s> lost by an interrupted MOVE", id)
		}
	}
	m.reset()
	m.snap = snap
	for _, b := range boxes {
		for id, n := range count[b.Name] {
			m.set(b.Name, id, n, n)
		}
		m.validity[b.Name] = snap[b.Name].validity
		for id := range snap[b.Name].uid {
			m.flagged[b.Name][id] = snap[b.Name].flagged[id]
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].text < errs[j].text })
	return errs
}

// A problem is one broken invariant; known names a known bug that
// explains it, or is "".
type problem struct {
	text, known string
}

// KnownImpTruncate names the bug that a SIGKILL between the
// truncation and the write of a .imp rewrite leaves it empty (or, for
// one larger than a write, torn): the mailbox gets a new UIDVALIDITY
// and every message a new UID (torn: the messages past the cut), and
// flags are lost (ninep WriteFile truncates in place; docs/campaign.md).
const KnownImpTruncate = "imp-truncate"
