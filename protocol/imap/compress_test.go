package imap_test

import (
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"p9mail/protocol/imap"
	"p9mail/testenv"
)

// deflateClient is a client whose stream is deflated each way after
// COMPRESS DEFLATE, with the standard library's flate.
type deflateClient struct {
	t  *testing.T
	c  net.Conn
	r  *bufio.Reader
	fw *flate.Writer
}

// dialCompressed logs in as glenda and starts COMPRESS DEFLATE.
func dialCompressed(t *testing.T, addr string) *deflateClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	line := func() string {
		s, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return s
	}
	line()
	fmt.Fprintf(c, "a LOGIN glenda pw\r\n")
	if s := line(); !strings.HasPrefix(s, "a OK") {
		t.Fatalf("LOGIN: %q", s)
	}
	fmt.Fprintf(c, "b COMPRESS DEFLATE\r\n")
	if s := line(); s != "b OK DEFLATE active\r\n" {
		t.Fatalf("COMPRESS: %q", s)
	}
	if r.Buffered() != 0 {
		t.Fatal("data after the COMPRESS OK before deflate")
	}
	fw, _ := flate.NewWriter(c, flate.BestCompression)
	return &deflateClient{t: t, c: c, r: bufio.NewReader(flate.NewReader(r)), fw: fw}
}

func (d *deflateClient) send(s string) {
	d.t.Helper()
	if _, err := io.WriteString(d.fw, s); err != nil {
		d.t.Fatalf("send: %v", err)
	}
	if err := d.fw.Flush(); err != nil {
		d.t.Fatalf("flush: %v", err)
	}
}

// expect reads lines until one starts with prefix.
func (d *deflateClient) expect(prefix string) string {
	d.t.Helper()
	for {
		s, err := d.r.ReadString('\n')
		if err != nil {
			d.t.Fatalf("waiting for %q: %v", prefix, err)
		}
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
}

// TestCompressLimits: through the deflated stream the commands work,
// a second COMPRESS is NO [COMPRESSIONACTIVE], an over-long line is
// still refused at MaxLine and the session goes on, a literal over
// MaxLiteral is still TOOBIG, and a decompression bomb (a line that
// inflates past MaxCompressRatio) ends the session rather than being
// skipped for minutes.
func TestCompressLimits(t *testing.T) {
	_, addr, _ := serveGlenda(t, imap.Config{MaxLine: 4096, MaxLiteral: 1 << 16}, testenv.Fixture("p9p"))
	d := dialCompressed(t, addr)
	d.send("c SELECT INBOX\r\n")
	d.expect("c OK")
	d.send("d FETCH 1 BODY.PEEK[]\r\n")
	d.expect("* 1 FETCH (BODY[] {")
	d.expect("d OK FETCH completed")
	d.send("e COMPRESS DEFLATE\r\n")
	if s := d.expect("e "); s != "e NO [COMPRESSIONACTIVE] COMPRESS DEFLATE already active\r\n" {
		t.Errorf("second COMPRESS: %q", s)
	}
	d.send("f SELECT " + strings.Repeat("x", 10000) + "\r\n")
	if s := d.expect("f "); !strings.Contains(s, "[TOOBIG]") {
		t.Errorf("line over MaxLine: %q", s)
	}
	d.send("g APPEND INBOX {100000}\r\n")
	if s := d.expect("g "); !strings.Contains(s, "[TOOBIG]") {
		t.Errorf("literal over MaxLiteral: %q", s)
	}
	d.send("h NOOP\r\n")
	d.expect("h OK")

	// The bomb: 512 MiB of one byte, a few hundred KiB deflated.
	start := time.Now()
	chunk := []byte(strings.Repeat("y", 1<<20))
	d.fw.Write([]byte("i NOOP "))
	var werr error
	for i := 0; i < 512 && werr == nil; i++ {
		_, werr = d.fw.Write(chunk)
	}
	d.fw.Flush()
	for {
		_, err := d.r.ReadString('\n')
		if err != nil {
			break // the server hung up
		}
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("the session took %v to end on the bomb", el)
	}
}

// TestCompressIdleTimeout: the idle timeout still cuts off a
// compressed session.
func TestCompressIdleTimeout(t *testing.T) {
	_, addr, _ := serveGlenda(t, imap.Config{IdleTimeout: 300 * time.Millisecond}, testenv.Fixture("p9p"))
	d := dialCompressed(t, addr)
	start := time.Now()
	for {
		if _, err := d.r.ReadString('\n'); err != nil {
			break
		}
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("idle compressed session ended after %v, want about 300ms", el)
	}
}
