package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"p9mail/bench/internal/loadkit"
)

// steps names the measured steps in order; "total" is their sum.
var steps = []string{"connect", "LOGIN", "SELECT", "FETCH-meta", "FETCH-body", "LOGOUT", "total"}

// The two FETCH commands: the items a client lists a mailbox with, then
// every message whole, not setting \Seen (RFC 3501 §6.4.5).
const (
	fetchMeta = "FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)"
	fetchBody = "FETCH 1:* BODY.PEEK[]"
)

// A result is one run against one server, one JSON line in the results
// file.
type result struct {
	loadkit.Timings
	Exists  int               `json:"exists"`            // SELECT's EXISTS
	Meta    int               `json:"meta"`              // messages FETCH-meta described
	Bodies  int               `json:"bodies"`            // messages FETCH-body delivered
	Bytes   int64             `json:"bytes"`             // their BODY[] octets
	SizeOff int               `json:"sizeoff"`           // messages whose RFC822.SIZE is not their BODY[] octets
	Strays  int               `json:"strays"`            // FETCH responses for no message or a message twice
	Wire    map[string]int64  `json:"wire"`              // step → response bytes read
	Answers map[string]string `json:"answers,omitempty"` // sort session: step → size and CRC of its answer
}

// A session is the state of one measured run.
type session struct {
	o     *options
	c     *client
	res   *result
	metas []*fetched       // by sequence number - 1
	sums  []loadkit.MsgSum // BODY[] by sequence number - 1
	got   []bool           // which BODY[] came
}

// run does the measured session: connect, LOGIN, SELECT INBOX, the two
// FETCHes, LOGOUT, timing each step and counting what came back. With
// o.dump set it writes the per-message dumps; with o.cpuprofile, a CPU
// profile per step.
func run(o *options) (*result, error) {
	s := &session{o: o, res: &result{
		Timings: loadkit.Timings{Server: o.label, Kind: o.kind, Ms: map[string]float64{}},
		Wire:    map[string]int64{},
	}}
	defer func() {
		if s.c != nil {
			s.c.close()
		}
	}()
	list := []struct {
		name string
		do   func() error
	}{
		{"connect", s.connect},
		{"LOGIN", func() error { return s.c.login(o.user, o.pass) }},
		{"SELECT", s.selectInbox},
		{"FETCH-meta", s.fetchMeta},
		{"FETCH-body", s.fetchBody},
		{"LOGOUT", func() error { return s.c.logout() }},
	}
	if o.session == "sort" {
		list = append(list[:3], list[5:]...)
		for _, st := range sortSteps[3:7] {
			list = slices.Insert(list, len(list)-1, struct {
				name string
				do   func() error
			}{st, s.sortStep(st)})
		}
	}
	cpu0, err := serverCPU(o)
	if err != nil {
		return nil, err
	}
	stopMem := func() (int64, int64) { return 0, 0 }
	if o.cpupid != 0 {
		stopMem = loadkit.WatchMem(o.cpupid, 50*time.Millisecond)
	}
	var total time.Duration
	for _, st := range list {
		d, wire, err := s.step(st.name, st.do)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
		s.res.Ms[st.name] = loadkit.Ms(d)
		s.res.Wire[st.name] = wire
		total += d
	}
	s.res.Ms["total"] = loadkit.Ms(total)
	s.c.close()
	s.c = nil
	if o.cpupid != 0 {
		// Let a forked session process exit and be reaped first.
		time.Sleep(300 * time.Millisecond)
		rss, anon := stopMem()
		s.res.Ms["rss-MiB"], s.res.Ms["anon-MiB"] = float64(rss)/(1<<20), float64(anon)/(1<<20)
		cpu1, err := serverCPU(o)
		if err != nil {
			return nil, err
		}
		s.res.Ms["cpu"] = cpu1 - cpu0
	}
	return s.res, s.writeDumps()
}

// step runs one step under its profile and returns its time and the
// response bytes it read.
func (s *session) step(name string, do func() error) (time.Duration, int64, error) {
	stop, err := loadkit.Profile(s.o.cpuprofile, name)
	if err != nil {
		return 0, 0, err
	}
	var n0 int64
	if s.c != nil {
		n0 = s.c.bytesRead()
	}
	t := time.Now()
	err = do()
	d := time.Since(t)
	stop()
	if err != nil {
		return 0, 0, err
	}
	return d, s.c.bytesRead() - n0, nil
}

func (s *session) connect() (err error) {
	s.c, err = dial(s.o.addr, s.o.timeout)
	return err
}

func (s *session) selectInbox() error {
	if _, err := s.c.command(nil, "SELECT INBOX"); err != nil {
		return err
	}
	s.res.Exists = s.c.exists
	s.metas = make([]*fetched, s.c.exists)
	s.sums = make([]loadkit.MsgSum, s.c.exists)
	s.got = make([]bool, s.c.exists)
	return nil
}

// fetchMeta lists the mailbox; each message must be described once.
func (s *session) fetchMeta() error {
	_, err := s.c.command(func(f *fetched) {
		i := f.Seq - 1
		if i < 0 || i >= len(s.metas) || s.metas[i] != nil {
			s.res.Strays++
			return
		}
		s.metas[i] = f
		s.res.Meta++
	}, fetchMeta)
	return err
}

// fetchBody reads every message; each must come once, and its length
// should be its RFC822.SIZE (RFC 3501 §2.3.4).
func (s *session) fetchBody() error {
	_, err := s.c.command(func(f *fetched) {
		i := f.Seq - 1
		if !f.hasBody {
			return // an unsolicited FLAGS update
		}
		if i < 0 || i >= len(s.sums) || s.got[i] {
			s.res.Strays++
			return
		}
		s.got[i] = true
		s.sums[i] = loadkit.MsgSum{Octets: f.octets, CRC: f.crc}
		s.res.Bodies++
		s.res.Bytes += f.octets
		if m := s.metas[i]; m != nil && m.Size != f.octets {
			s.res.SizeOff++
		}
	}, fetchBody)
	return err
}

// serverCPU returns the CPU time of the -cpupid tree, 0 without one.
func serverCPU(o *options) (float64, error) {
	if o.cpupid == 0 {
		return 0, nil
	}
	return loadkit.TreeCPU(o.cpupid)
}

// writeDumps writes the BODY[] dump to o.dump and the FETCH-meta items
// as JSON lines to o.dump+".meta"; a message that got no answer is a
// zero line.
func (s *session) writeDumps() error {
	if s.o.dump == "" {
		return nil
	}
	f, err := os.Create(s.o.dump)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	err = loadkit.WriteDump(f, s.sums)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	return writeMeta(s.o.dump+".meta", s.metas)
}

// writeMeta writes one JSON line per message.
func writeMeta(name string, metas []*fetched) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i, m := range metas {
		if m == nil {
			m = &fetched{Seq: i + 1}
		}
		if err := enc.Encode(m); err != nil {
			f.Close()
			return fmt.Errorf("dump: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("dump: %w", err)
	}
	return f.Close()
}
