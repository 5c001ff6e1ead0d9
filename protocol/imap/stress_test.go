package imap_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"regexp"
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

// stressClient is a raw IMAP client that keeps the mailbox size it was
// told and checks every untagged response against it, as imaptest's
// stress run does (RFC 3501 §7.4.1: an EXPUNGE or FETCH may name only a
// message the client knows).
type stressClient struct {
	c      net.Conn
	r      *bufio.Reader
	tag    int
	exists int
	lines  []string // untagged lines of the last command, when keep
	keep   bool
}

var (
	existsRE  = regexp.MustCompile(`^\* (\d+) EXISTS$`)
	expungeRE = regexp.MustCompile(`^\* (\d+) EXPUNGE$`)
	fetchRE   = regexp.MustCompile(`^\* (\d+) FETCH `)
	literalRE = regexp.MustCompile(`\{(\d+)\}$`)
)

// cmd sends a command and reads to its tagged reply, which it returns.
func (sc *stressClient) cmd(format string, args ...any) (string, error) {
	sc.tag++
	sc.lines = sc.lines[:0]
	tag := "s" + strconv.Itoa(sc.tag)
	sc.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(sc.c, tag+" "+format+"\r\n", args...); err != nil {
		return "", err
	}
	for {
		line, err := sc.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		if m := literalRE.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			buf := make([]byte, n)
			if _, err := io.ReadFull(sc.r, buf); err != nil {
				return "", err
			}
			rest, err := sc.r.ReadString('\n')
			if err != nil {
				return "", err
			}
			if sc.keep {
				line += "<literal " + string(buf) + ">"
			} else {
				line += "<literal>"
			}
			line += strings.TrimRight(rest, "\r\n")
		}
		if strings.HasPrefix(line, tag+" ") {
			return line[len(tag)+1:], nil
		}
		if err := sc.check(line); err != nil {
			return "", err
		}
		if sc.keep {
			sc.lines = append(sc.lines, line)
		}
	}
}

func (sc *stressClient) check(line string) error {
	if m := existsRE.FindStringSubmatch(line); m != nil {
		sc.exists, _ = strconv.Atoi(m[1])
		return nil
	}
	if m := expungeRE.FindStringSubmatch(line); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > sc.exists {
			return fmt.Errorf("%q with %d messages known", line, sc.exists)
		}
		sc.exists--
		return nil
	}
	if m := fetchRE.FindStringSubmatch(line); m != nil {
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > sc.exists {
			return fmt.Errorf("%q with %d messages known", line, sc.exists)
		}
	}
	return nil
}

// TestStress runs sessions that append, flag, expunge, fetch and poll
// one INBOX at once (imaptest's stress mix, under -race): no session
// may be told of a message it does not know, none may be cut off, and
// only expected replies come back.
func TestStress(t *testing.T) {
	const sessions, rounds = 8, 40
	root := testenv.MailRoot(t, "glenda")
	testenv.WriteFixture(t, root, "glenda", "mbox", testenv.Fixture("all"))
	keys, err := auth.OpenKeys(testenv.WriteKeys(t, root, map[string]string{"glenda": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := imap.New(imap.Config{Source: &mailfs.Source{Root: root}, Keys: keys, AllowPlain: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go srv.Serve(l, false)
	errs := make(chan error, sessions)
	var wg sync.WaitGroup
	for i := 0; i < sessions; i++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			errs <- stressSession(l.Addr().String(), seed, rounds)
		}(int64(i))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(root, "box", "glenda", "mbox"))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && !strings.HasPrefix(string(data), "From ") {
		t.Fatalf("mbox damaged: %q", data[:min(len(data), 100)])
	}
}

func stressSession(addr string, seed int64, rounds int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	sc := &stressClient{c: c, r: bufio.NewReader(c)}
	if _, err := sc.r.ReadString('\n'); err != nil {
		return err
	}
	ok := func(reply string, err error) error {
		if err != nil {
			return err
		}
		if !strings.HasPrefix(reply, "OK") {
			return fmt.Errorf("reply %s", reply)
		}
		return nil
	}
	if err := ok(sc.cmd("LOGIN glenda pw")); err != nil {
		return err
	}
	if err := ok(sc.cmd("SELECT INBOX")); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(seed))
	msg := "Subject: stress\r\nMessage-ID: <%d.%d@stress>\r\n\r\nbody\r\n"
	for r := 0; r < rounds; r++ {
		var reply string
		var err error
		switch rng.Intn(5) {
		case 0:
			m := fmt.Sprintf(msg, seed, r)
			reply, err = sc.cmd("APPEND INBOX {%d+}\r\n%s", len(m), m)
		case 1:
			if sc.exists == 0 {
				continue
			}
			// Mostly the newest message: what another session may not
			// have been told of yet (imaptest found EXPUNGE reported
			// for such messages).
			n := sc.exists
			if rng.Intn(3) == 0 {
				n = 1 + rng.Intn(sc.exists)
			}
			reply, err = sc.cmd("STORE %d +FLAGS.SILENT (\\Deleted)", n)
		case 2:
			reply, err = sc.cmd("EXPUNGE")
		case 3:
			if sc.exists == 0 {
				continue
			}
			reply, err = sc.cmd("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
			// RFC 2180 §4.1.2 allows NO for a message expunged meanwhile.
			if err == nil && strings.HasPrefix(reply, "NO") {
				continue
			}
		default:
			reply, err = sc.cmd("NOOP")
		}
		if err := ok(reply, err); err != nil {
			return fmt.Errorf("session %d round %d: %v", seed, r, err)
		}
	}
	return ok(sc.cmd("LOGOUT"))
}
