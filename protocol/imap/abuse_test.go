package imap_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"p9mail/protocol/auth"
	"p9mail/protocol/imap"
	"p9mail/protocol/mailfs"
	"p9mail/testenv"
)

// abuseServer serves glenda's fixture mailbox on loopback with cfg's
// limits and returns its address.
func abuseServer(t *testing.T, cfg imap.Config) string {
	return abuseServerMbox(t, cfg, testenv.Fixture("p9p"))
}

// abuseServerMbox is abuseServer with glenda's mbox holding data.
func abuseServerMbox(t *testing.T, cfg imap.Config, data []byte) string {
	_, addr, _ := serveGlenda(t, cfg, data)
	return addr
}

// serveGlenda serves glenda (password pw, clear text allowed) with an
// mbox holding data on loopback, with cfg's other settings, and returns
// the mail root, the server's address and the server.
func serveGlenda(t *testing.T, cfg imap.Config, data []byte) (root, addr string, srv *imap.Server) {
	t.Helper()
	root = testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", data)
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Source, cfg.Keys, cfg.AllowPlain = &mailfs.Source{Root: root}, keys, true
	srv, err = imap.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go srv.Serve(l, false)
	return root, l.Addr().String(), srv
}

// heapInUse is the process's live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// peakHeap samples the heap in use until stop is called, which returns
// the largest value seen.
func peakHeap() (stop func() uint64) {
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				peak <- top
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); return <-peak }
}

// TestAbusePreauthLiteral: clients that have not logged in announce a
// huge non-synchronizing LOGIN literal and send its data. Each must be
// answered NO [TOOBIG] and BYE before its data is read, and the server
// must hold no more than a few KiB per connection while they push
// (before the pre-authentication limit, each literal was held whole:
// 20 connections of 60 MB reached 3.8 GB).
func TestAbusePreauthLiteral(t *testing.T) {
	const conns, size = 20, 8 << 20
	addr := abuseServer(t, imap.Config{})
	before := heapInUse()
	stop := peakHeap()
	chunk := make([]byte, 64<<10)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	sent := make(chan int, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(c)
			if _, err := r.ReadString('\n'); err != nil {
				errs <- err
				return
			}
			fmt.Fprintf(c, "a1 LOGIN glenda {%d+}\r\n", size)
			// Push the data as a hostile client would, in the
			// background; the server must answer without reading it.
			go func() {
				n := 0
				for n < size {
					w, err := c.Write(chunk)
					n += w
					if err != nil {
						break
					}
				}
				sent <- n
			}()
			var got []string
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				got = append(got, strings.TrimRight(line, "\r\n"))
			}
			// LITERAL- (RFC 7888 §4): BAD for a non-synchronizing literal over 4096.
			want := []string{"a1 BAD [TOOBIG] LOGIN non-synchronizing literal of 8388608 octets too big (LITERAL- limit 4096)",
				"* BYE command too big before authentication"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				errs <- fmt.Errorf("replies %q, want %q", got, want)
			}
		}()
	}
	wg.Wait()
	grown := int64(stop()) - int64(before)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The bound: 20 connections' buffers (16 KiB read, 32 KiB write),
	// the clients' and goroutines, far below one literal.
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes for %d hostile connections", grown, conns)
	}
	for i := 0; i < conns; i++ {
		if n := <-sent; n >= size {
			t.Errorf("the server read all %d octets of a refused literal", n)
		}
	}
}

// dialFrom connects to addr from a loopback source address of its own
// (127.0.0.0/8 is all loopback), as a second host would.
func dialFrom(t *testing.T, src, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return c, r
}

// replyTo sends one command and returns its tagged reply.
func replyTo(c net.Conn, r *bufio.Reader, tag, cmd string) (string, error) {
	if _, err := fmt.Fprintf(c, "%s %s\r\n", tag, cmd); err != nil {
		return "", err
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, tag+" ") {
			return strings.TrimRight(line, "\r\n"), nil
		}
	}
}

// TestAbuseParallelGuessing: 40 connections from one address guess
// glenda's password at once, reconnecting when refused. The failures
// they learn must come at the throttle's pace, not 40 times faster
// (before the shared throttle, 40 connections learned 20 answers a
// second against 10 s delays); attempts queued past the Horizon are
// refused unanswered; and the owner, logging in from another address
// meanwhile, gets in after at most the delay cap.
func TestAbuseParallelGuessing(t *testing.T) {
	const conns, base, capDelay, run = 40, 20 * time.Millisecond, 100 * time.Millisecond, 1500 * time.Millisecond
	addr := abuseServer(t, imap.Config{MaxPerAddr: -1,
		Delay: auth.Delay{Base: base, Max: capDelay, Limit: 1000}})
	var mu sync.Mutex
	answered, refused := 0, 0
	var wg sync.WaitGroup
	end := time.Now().Add(run)
	guess := func(i int) {
		c, r := dialFrom(t, "127.0.0.1", addr)
		defer c.Close()
		for n := 0; time.Now().Before(end); n++ {
			c.SetDeadline(end.Add(capDelay))
			reply, err := replyTo(c, r, "g", fmt.Sprintf("LOGIN glenda guess%d-%d", i, n))
			switch {
			case err != nil:
				return // cut off by the deadline while waiting
			case strings.Contains(reply, "AUTHENTICATIONFAILED"):
				mu.Lock()
				answered++
				mu.Unlock()
			case strings.HasPrefix(reply, "g NO [UNAVAILABLE]"):
				mu.Lock()
				refused++
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
				return // the server hangs up: reconnect
			default:
				t.Errorf("a guess got %q", reply)
				return
			}
		}
	}
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for time.Now().Before(end) {
				guess(i)
			}
		}(i)
	}
	time.Sleep(run / 3)
	c, r := dialFrom(t, "127.0.0.2", addr)
	t0 := time.Now()
	reply, err := replyTo(c, r, "o", "LOGIN glenda pw")
	waited := time.Since(t0)
	c.Close()
	wg.Wait()
	if err != nil || !strings.HasPrefix(reply, "o OK") {
		t.Fatalf("the owner's login: %q, %v", reply, err)
	}
	if waited > capDelay+500*time.Millisecond {
		t.Errorf("the owner waited %v for a right password (cap %v)", waited, capDelay)
	}
	// The first attempts, before any failure, go at once (one per
	// connection); after that one address is answered one attempt at a
	// time, soon capDelay apart: about conns + run/capDelay answers.
	// Per-session delays would allow about conns*run/capDelay.
	if limit := conns + int(run/capDelay) + 5; answered > limit {
		t.Errorf("%d guesses answered in %v from one address; the throttle allows about %d", answered, run, limit)
	}
	t.Logf("%d guesses answered and %d refused in %v over %d connections; the owner waited %v", answered, refused, run, conns, waited)
}

// TestAbuseSleeperFreesSlot: a session sleeping off a failed login
// whose client hangs up gives its slot back at once, instead of holding
// it for the delay.
func TestAbuseSleeperFreesSlot(t *testing.T) {
	addr := abuseServer(t, imap.Config{MaxConns: 1,
		Delay: auth.Delay{Base: 10 * time.Second, Max: 10 * time.Second, Limit: 20}})
	c, _ := dialFrom(t, "127.0.0.1", addr)
	fmt.Fprintf(c, "a LOGIN glenda wrong\r\n")
	time.Sleep(100 * time.Millisecond) // the server is now sleeping
	c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, r := dialFrom(t, "127.0.0.3", addr)
		line, _ := replyTo(c, r, "b", "NOOP")
		c.Close()
		if line == "b OK NOOP completed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slot of a client that hung up during its delay is still taken (%q)", line)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAbuseKeywords: STOREs of thousands of fresh keywords on every
// message (5 of 7,000 names on 2,000 messages took the server to 5.2 GB)
// are refused with NO [LIMIT] before anything changes, and what the
// limits allow costs bits, not strings, per message.
func TestAbuseKeywords(t *testing.T) {
	const msgs = 2000
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 1, msgs); err != nil {
		t.Fatal(err)
	}
	addr := abuseServerMbox(t, imap.Config{}, mbox.Bytes())
	c, r := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	for _, cmd := range []string{"LOGIN glenda pw", "SELECT INBOX"} {
		if reply, err := replyTo(c, r, "a", cmd); err != nil || !strings.HasPrefix(reply, "a OK") {
			t.Fatalf("%s: %q %v", cmd, reply, err)
		}
	}
	names := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, " k%d", i)
		}
		return b.String()[1:]
	}
	before := heapInUse()
	for round := 0; round < 5; round++ {
		reply, err := replyTo(c, r, "s", "STORE 1:* +FLAGS.SILENT ("+names(round*7000, 7000)+")")
		if err != nil || !strings.HasPrefix(reply, "s NO [LIMIT]") {
			t.Fatalf("round %d: %q %v", round, reply, err)
		}
	}
	// Within the limits: 64 keywords on each of 2,000 messages.
	if reply, err := replyTo(c, r, "w", "STORE 1:* +FLAGS.SILENT ("+names(0, imap.DefaultMaxMessageKeywords)+")"); err != nil || reply != "w OK STORE completed" {
		t.Fatalf("STORE within the limits: %q %v", reply, err)
	}
	grown := int64(heapInUse()) - int64(before)
	// 2,000 messages x 8 bytes of bits, plus 64 names and the session's
	// buffers; a map of 64 strings per message would be about 6 MB.
	if grown > 1<<20 {
		t.Errorf("the heap grew by %d bytes for %d keywords on %d messages", grown, imap.DefaultMaxMessageKeywords, msgs)
	}
	if reply, err := replyTo(c, r, "x", "SEARCH KEYWORD k63 NOT KEYWORD k64"); err != nil || reply != "x OK SEARCH completed" {
		t.Fatalf("SEARCH: %q %v", reply, err)
	}
}

// readReply reads to the tagged reply of tag, counting the literal
// bytes that come with it.
func readReply(r *bufio.Reader, tag string) (reply string, literal int64, err error) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", literal, err
		}
		if m := literalRE.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			if _, err := io.CopyN(io.Discard, r, n); err != nil {
				return "", literal, err
			}
			literal += n
			continue
		}
		if strings.HasPrefix(line, tag+" ") {
			return strings.TrimRight(line, "\r\n"), literal, nil
		}
	}
}

// TestAbuseLongHeaderLine: a message with a 20 MB header line (one of
// 50 MB took a session to 500 MB) is read whole, listed and searched,
// while the engine holds only DefaultMaxHeader-sized pieces of it.
func TestAbuseLongHeaderLine(t *testing.T) {
	const lineLen = 20 << 20
	msg := "From glenda Mon Jan  2 15:04:05 2006\nSubject: the long one\nX-Long: " +
		strings.Repeat("y", lineLen) + "\nTo: rob@example.com\n\nbody\n"
	addr := abuseServerMbox(t, imap.Config{}, []byte(msg))
	c, r := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	for _, cmd := range []string{"LOGIN glenda pw", "SELECT INBOX"} {
		if reply, err := replyTo(c, r, "a", cmd); err != nil || !strings.HasPrefix(reply, "a OK") {
			t.Fatalf("%s: %q %v", cmd, reply, err)
		}
	}
	before := heapInUse()
	stop := peakHeap()
	for _, step := range []struct {
		cmd     string
		literal int64
	}{
		{"FETCH 1 (ENVELOPE BODYSTRUCTURE RFC822.SIZE)", 0},
		// Less the From line (37 bytes) and the body (5), the four LFs
		// of the header and its empty line made CRLF.
		{"FETCH 1 BODY.PEEK[HEADER]", int64(len(msg)) - 37 - 5 + 4},
		// raw: less the From line and the last LF, five LFs made CRLF.
		{"FETCH 1 BODY.PEEK[]", int64(len(msg)) - 37 - 1 + 4},
		{"FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT TO)]", 0},
		{"SEARCH SUBJECT long TO rob", 0},
	} {
		fmt.Fprintf(c, "f %s\r\n", step.cmd)
		reply, n, err := readReply(r, "f")
		if err != nil || !strings.HasPrefix(reply, "f OK") {
			t.Fatalf("%s: %q %v", step.cmd, reply, err)
		}
		if step.literal != 0 && n != step.literal {
			t.Errorf("%s: %d bytes, want %d", step.cmd, n, step.literal)
		}
	}
	grown := int64(stop()) - int64(before)
	t.Logf("the heap grew by at most %d bytes", grown)
	if grown > 12<<20 {
		t.Errorf("the heap grew by %d bytes for a %d-byte header line", grown, lineLen)
	}
}

// TestAbuseSearchStopsOnHangup: a client that sends a costly SEARCH
// and hangs up does not leave the server searching (1,000 BODY terms
// on 2,000 messages used to run on for 40 s after the client left).
func TestAbuseSearchStopsOnHangup(t *testing.T) {
	const msgs = 4000
	var mbox bytes.Buffer
	if _, err := testenv.WriteMbox(&mbox, 3, msgs); err != nil {
		t.Fatal(err)
	}
	_, addr, srv := serveGlenda(t, imap.Config{}, mbox.Bytes())
	c, r := dialFrom(t, "127.0.0.1", addr)
	for _, cmd := range []string{"LOGIN glenda pw", "SELECT INBOX"} {
		if reply, err := replyTo(c, r, "a", cmd); err != nil || !strings.HasPrefix(reply, "a OK") {
			t.Fatalf("%s: %q %v", cmd, reply, err)
		}
	}
	var keys256 strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&keys256, " BODY absent-%d", i)
	}
	fmt.Fprintf(c, "s SEARCH%s\r\n", keys256.String())
	time.Sleep(20 * time.Millisecond) // the search has begun
	c.Close()
	// Once the search stops, the count stops growing.
	var last int64 = -1
	stopped := false
	for i := 0; i < 100 && !stopped; i++ {
		time.Sleep(50 * time.Millisecond)
		n := imap.Searched(srv)
		stopped, last = n == last, n
	}
	if !stopped {
		t.Fatalf("still searching 5 s after the client hung up (%d messages)", last)
	}
	if last >= msgs {
		t.Errorf("the SEARCH looked at all %d messages after its client hung up", last)
	}
	t.Logf("the SEARCH stopped after %d of %d messages", last, msgs)
}
