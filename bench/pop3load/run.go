package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"p9mail/bench/internal/loadkit"
)

// steps names the measured steps in order; "total" is their sum.
// "open" is login+STAT+UIDL: where each server reads the mailbox (ours at
// PASS, Dovecot lazily at the first command that needs it).
var steps = []string{"connect", "login", "STAT", "UIDL", "RETR", "DELE", "QUIT", "open", "total"}

// A result is one run against one server, one JSON line in the results
// file.
type result struct {
	loadkit.Timings
	Msgs   int   `json:"msgs"`   // STAT count
	Octets int64 `json:"octets"` // STAT size
	UIDLs  int   `json:"uidls"`  // UIDL lines
	Bytes  int64 `json:"bytes"`  // octets RETR delivered (CRLF = 2)
	Lines  int   `json:"lines"`  // lines RETR delivered
	Deled  int   `json:"deleted"`
	After  int   `json:"after"` // STAT count in a later session
}

// run does the measured session: connect, USER/PASS, STAT, UIDL, RETR of
// every message, DELE of every second one (2, 4, ...), QUIT, timing each
// step. With dump non-nil it writes "number octets crc32c" per message
// there; with o.cpuprofile set, a CPU profile per step.
func run(o *options, dump io.Writer) (*result, error) {
	res := &result{Timings: loadkit.Timings{Server: o.label, Kind: o.kind, Ms: map[string]float64{}}}
	var c *client
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	list := []struct {
		name string
		do   func() error
	}{
		{"connect", func() (err error) { c, err = dial(o.addr, o.timeout); return err }},
		{"login", func() error { return c.login(o.user, o.pass) }},
		{"STAT", func() (err error) { res.Msgs, res.Octets, err = c.stat(); return err }},
		{"UIDL", func() error { return uidl(c, res) }},
		{"RETR", func() error { return retrAll(c, res, dump) }},
		{"DELE", func() error { return deleEven(c, res) }},
		{"QUIT", func() error { _, err := c.cmd("QUIT"); return err }},
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
		stop, err := loadkit.Profile(o.cpuprofile, st.name)
		if err != nil {
			return nil, err
		}
		t := time.Now()
		err = st.do()
		d := time.Since(t)
		stop()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
		res.Ms[st.name] = loadkit.Ms(d)
		total += d
	}
	res.Ms["total"] = loadkit.Ms(total)
	res.Ms["open"] = res.Ms["login"] + res.Ms["STAT"] + res.Ms["UIDL"]
	c.close()
	c = nil
	if o.cpupid != 0 {
		// Let a forked session process exit and be reaped first.
		time.Sleep(300 * time.Millisecond)
		rss, anon := stopMem()
		res.Ms["rss-MiB"], res.Ms["anon-MiB"] = float64(rss)/(1<<20), float64(anon)/(1<<20)
		cpu1, err := serverCPU(o)
		if err != nil {
			return nil, err
		}
		res.Ms["cpu"] = cpu1 - cpu0
	}
	res.After, err = countAfter(o)
	return res, err
}

// serverCPU returns the CPU time of the -cpupid tree, 0 without one.
func serverCPU(o *options) (float64, error) {
	if o.cpupid == 0 {
		return 0, nil
	}
	return loadkit.TreeCPU(o.cpupid)
}

// deleEven marks every second message deleted, one DELE at a time.
func deleEven(c *client, res *result) error {
	for i := 2; i <= res.Msgs; i += 2 {
		if _, err := c.cmd("DELE %d", i); err != nil {
			return fmt.Errorf("DELE %d: %w", i, err)
		}
		res.Deled++
	}
	return nil
}

func uidl(c *client, res *result) error {
	if _, err := c.cmd("UIDL"); err != nil {
		return fmt.Errorf("UIDL: %w", err)
	}
	bd, err := c.multiline()
	if err != nil {
		return fmt.Errorf("UIDL: %w", err)
	}
	res.UIDLs = bd.lines
	return nil
}

// retrAll retrieves messages 1..res.Msgs, reading every byte.
func retrAll(c *client, res *result, dump io.Writer) error {
	var bw *bufio.Writer
	if dump != nil {
		bw = bufio.NewWriter(dump)
	}
	for i := 1; i <= res.Msgs; i++ {
		if _, err := c.cmd("RETR %d", i); err != nil {
			return fmt.Errorf("RETR %d: %w", i, err)
		}
		bd, err := c.multiline()
		if err != nil {
			return fmt.Errorf("RETR %d: %w", i, err)
		}
		res.Bytes += bd.octets
		res.Lines += bd.lines
		if bw != nil {
			fmt.Fprintf(bw, "%d %d %08x\n", i, bd.octets, bd.crc)
		}
	}
	if bw != nil {
		return bw.Flush()
	}
	return nil
}

// countAfter logs in again, untimed, and returns the message count: the
// check that QUIT removed the deleted messages. A server may release the
// maildrop a moment after QUIT's reply, so "in use" is retried.
func countAfter(o *options) (int, error) {
	var lastErr error
	for try := 0; try < 50; try++ {
		n, err := countOnce(o)
		if err == nil {
			return n, nil
		}
		lastErr = err
		if !strings.Contains(strings.ToLower(err.Error()), "in use") &&
			!strings.Contains(err.Error(), "IN-USE") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, fmt.Errorf("count after QUIT: %w", lastErr)
}

func countOnce(o *options) (int, error) {
	c, err := dial(o.addr, o.timeout)
	if err != nil {
		return 0, err
	}
	defer c.close()
	if err := c.login(o.user, o.pass); err != nil {
		return 0, err
	}
	n, _, err := c.stat()
	if err != nil {
		return 0, err
	}
	_, err = c.cmd("QUIT")
	return n, err
}

// openDump creates the per-message dump file, or returns nil for "".
func openDump(name string) (*os.File, error) {
	if name == "" {
		return nil, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	return f, nil
}

var errUsage = errors.New("usage")

// prime logs in and reads STAT and UIDL, untimed, so that a server with
// an index (Dovecot) builds it; nothing is deleted.
func prime(o *options) error {
	c, err := dial(o.addr, o.timeout)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.login(o.user, o.pass); err != nil {
		return err
	}
	if _, _, err := c.stat(); err != nil {
		return err
	}
	if err := uidl(c, &result{}); err != nil {
		return err
	}
	_, err = c.cmd("QUIT")
	return err
}
