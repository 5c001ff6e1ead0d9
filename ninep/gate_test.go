//go:build !plan9

package ninep

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"9fans.net/go/plan9"
)

// recConn is a transport whose replies come from a pipe the test writes
// and whose writes are recorded.
type recConn struct {
	r  *io.PipeReader
	mu sync.Mutex
	w  []*plan9.Fcall
}

func (c *recConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *recConn) Close() error               { return c.r.Close() }
func (c *recConn) Write(p []byte) (int, error) {
	f, err := plan9.UnmarshalFcall(p)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.w = append(c.w, f)
	c.mu.Unlock()
	return len(p), nil
}

func (c *recConn) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s []string
	for _, f := range c.w {
		s = append(s, f.String())
	}
	return s
}

func msg(t *testing.T, f *plan9.Fcall) []byte {
	t.Helper()
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goWrite writes m through g in a goroutine and returns its result channel.
func goWrite(g *fidGate, m []byte) chan error {
	done := make(chan error, 1)
	go func() { _, err := g.Write(m); done <- err }()
	return done
}

func wantHeld(t *testing.T, done chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s was not held back (err %v)", what, err)
	case <-time.After(50 * time.Millisecond):
	}
}

func wantDone(t *testing.T, done chan error, what string, wantErr bool) {
	t.Helper()
	select {
	case err := <-done:
		if (err != nil) != wantErr {
			t.Fatalf("%s: error %v, want error %v", what, err, wantErr)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s still held back", what)
	}
}

func TestGateHoldsReusedFid(t *testing.T) {
	pr, pw := io.Pipe()
	conn := &recConn{r: pr}
	g := newFidGate(conn)
	walk := func(tag uint16, fid, newfid uint32) []byte {
		return msg(t, &plan9.Fcall{Type: plan9.Twalk, Tag: tag, Fid: fid, Newfid: newfid, Wname: []string{"a"}})
	}
	if _, err := g.Write(msg(t, &plan9.Fcall{Type: plan9.Tclunk, Tag: 1, Fid: 5})); err != nil {
		t.Fatal(err)
	}
	held := goWrite(g, walk(2, 0, 5))
	wantHeld(t, held, "Twalk newfid 5 during Tclunk 5")
	attach := goWrite(g, msg(t, &plan9.Fcall{Type: plan9.Tattach, Tag: 4, Fid: 5, Afid: plan9.NOFID}))
	wantHeld(t, attach, "Tattach fid 5 during Tclunk 5")
	wantDone(t, goWrite(g, walk(3, 0, 6)), "Twalk newfid 6", false)

	rclunk := msg(t, &plan9.Fcall{Type: plan9.Rclunk, Tag: 1})
	pw.Write(rclunk)
	wantDone(t, held, "Twalk newfid 5 after Rclunk", false)
	wantDone(t, attach, "Tattach fid 5 after Rclunk", false)
	got := make([]byte, len(rclunk))
	if _, err := io.ReadFull(g, got); err != nil || !bytes.Equal(got, rclunk) {
		t.Errorf("client read %x, %v; want %x", got, err, rclunk)
	}

	// An Rerror to a Tremove also ends the fid.
	g.Write(msg(t, &plan9.Fcall{Type: plan9.Tremove, Tag: 7, Fid: 9}))
	held = goWrite(g, walk(8, 0, 9))
	wantHeld(t, held, "Twalk newfid 9 during Tremove 9")
	pw.Write(msg(t, &plan9.Fcall{Type: plan9.Rerror, Tag: 7, Ename: "permission denied"}))
	wantDone(t, held, "Twalk newfid 9 after Rerror", false)

	// When the connection fails, a held writer gets the error.
	g.Write(msg(t, &plan9.Fcall{Type: plan9.Tclunk, Tag: 10, Fid: 11}))
	held = goWrite(g, walk(12, 0, 11))
	wantHeld(t, held, "Twalk newfid 11 during Tclunk 11")
	pw.Close()
	wantDone(t, held, "Twalk newfid 11 after EOF", true)

	want := []string{
		"Tclunk tag 1 fid 5",
		"Twalk tag 3 fid 0 newfid 6 wname [a]",
		"Twalk tag 2 fid 0 newfid 5 wname [a]", // after the Rclunk
		"Tattach tag 4 fid 5 afid 4294967295 uname  aname ",
		"Tremove tag 7 fid 9",
		"Twalk tag 8 fid 0 newfid 9 wname [a]",
		"Tclunk tag 10 fid 11",
	}
	sent := conn.sent()
	// The two writes released by the Rclunk may go in either order.
	if len(sent) == len(want) && sent[2] == want[3] {
		sent[2], sent[3] = sent[3], sent[2]
	}
	if len(sent) != len(want) {
		t.Fatalf("sent %q\nwant %q", sent, want)
	}
	for i := range want {
		if sent[i] != want[i] {
			t.Errorf("sent[%d] = %q, want %q", i, sent[i], want[i])
		}
	}
}
