//go:build unix

package campaign

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestStress runs the stress load at CI size (STRESS_CLIENTS, default
// 20; STRESS_SECONDS, default 5) on one mailbox and on as many
// mailboxes as clients, with imap4d's embedded emulator and with -fs.
func TestStress(t *testing.T) {
	b := testBin(t)
	clients := envInt(t, "STRESS_CLIENTS", 20)
	secs := envInt(t, "STRESS_SECONDS", 5)
	for _, c := range []struct {
		boxes int
		fs    bool
	}{{1, false}, {clients, true}} {
		t.Run(fmt.Sprintf("boxes=%d,fs=%v", c.boxes, c.fs), func(t *testing.T) {
			res, err := RunStress(StressConfig{
				Clients: clients, Duration: time.Duration(secs) * time.Second,
				Boxes: c.boxes, Messages: 30, Seed: 1, FS: c.fs,
				Bin: b, Dir: shortDir(t),
			})
			if err != nil {
				t.Fatal(err)
			}
			res.Report(testWriter{t})
			checkStress(t, res)
		})
	}
}

// checkStress fails on the errors of a stress run, logs the findings
// of the known APPENDUID bug, and checks that the servers' descriptors
// and memory came back.
func checkStress(t *testing.T, res *StressResult) {
	for _, e := range res.Errors {
		t.Error(e)
	}
	for _, e := range res.Known {
		// Not failed: the open bug KnownAppendUID, fixed elsewhere.
		t.Logf("known bug %s: %s", KnownAppendUID, e)
	}
	if res.Ops["APPEND"] == 0 || res.Ops["EXPUNGE"] == 0 || res.Ops["FETCH"] == 0 {
		t.Errorf("too little done: %v", res.Ops)
	}
	for _, m := range res.Mem {
		if m.FDAfter > m.FDBase+m.FDAllow {
			t.Errorf("%s: %d descriptors after the load, %d before", m.Name, m.FDAfter, m.FDBase)
		}
		if m.RSSAfter > m.RSSBase+rssSlack {
			t.Errorf("%s: RSS %d after the load, %d before", m.Name, m.RSSAfter, m.RSSBase)
		}
	}
}

// TestStressCatches makes the answers wrong on their way to the
// clients and checks that the clients notice: a body that changes for
// its UID, an EXPUNGE of a message nobody was told of.
func TestStressCatches(t *testing.T) {
	b := testBin(t)
	var n atomic.Int64
	res, err := RunStress(StressConfig{
		Clients: 4, Duration: 2 * time.Second, Boxes: 1, Messages: 10, Seed: 2,
		Bin: b, Dir: shortDir(t),
		Tamper: func(r *Resp) {
			if n.Add(1)%3 != 0 {
				return
			}
			if _, kind, _ := Untagged(r); kind == "EXPUNGE" {
				r.Raw = []byte("* 9999 EXPUNGE")
			} else if bytes.Contains(r.Raw, []byte("BODY[]")) && bytes.HasSuffix(r.Raw, []byte(")")) {
				r.Raw[len(r.Raw)-3] ^= 1 // in the literal, before its CRLF
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var body, expunge bool
	for _, e := range res.Errors {
		body = body || strings.Contains(e, "body changed")
		expunge = expunge || strings.Contains(e, "9999 EXPUNGE")
	}
	if !body || !expunge {
		t.Errorf("tampered answers not caught (body %v, expunge %v): %q", body, expunge, res.Errors)
	}
}
