package main

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// A client is a minimal IMAP4rev1 client (RFC 3501): one command at a
// time, reading every byte of every response.
type client struct {
	conn    net.Conn
	r       *reader
	w       *bufio.Writer
	timeout time.Duration
	tag     int

	exists int    // the last EXISTS count (RFC 3501 §7.3.1)
	kind   string // the last untagged response's kind: OK, BYE, FETCH...
	text   string // and its text, for messages
	sum    uint32 // and the CRC-32C of its whole text (SORT, THREAD)
	size   int64  // and its size
}

// dial connects to addr and reads the greeting, which must be OK.
func dial(addr string, timeout time.Duration) (*client, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c := &client{
		conn:    conn,
		r:       newReader(conn),
		w:       bufio.NewWriterSize(conn, 4<<10),
		timeout: timeout,
	}
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := c.response(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if c.kind != "OK" {
		conn.Close()
		return nil, fmt.Errorf("greeting: %s %s", c.kind, c.text)
	}
	return c, nil
}

func (c *client) close() error { return c.conn.Close() }

// bytesRead is the count of response bytes read so far.
func (c *client) bytesRead() int64 { return c.r.n }

// A status is a tagged response (RFC 3501 §7.1).
type status struct {
	tag, cond, text string
}

// command sends one command and reads responses up to its tagged one,
// which must be OK; it returns that response's text. Each FETCH
// response goes to onFetch, if not nil.
func (c *client) command(onFetch func(*fetched), cmd string) (string, error) {
	c.tag++
	tag := "a" + strconv.Itoa(c.tag)
	verb, _, _ := strings.Cut(cmd, " ")
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	c.w.WriteString(tag + " " + cmd + "\r\n")
	if err := c.w.Flush(); err != nil {
		return "", fmt.Errorf("%s: %w", verb, err)
	}
	for {
		st, err := c.response(onFetch)
		if err != nil {
			return "", fmt.Errorf("%s: %w", verb, err)
		}
		if st == nil {
			continue
		}
		if st.tag != tag {
			return "", fmt.Errorf("%s: response tagged %q, want %q", verb, st.tag, tag)
		}
		if st.cond != "OK" {
			return "", fmt.Errorf("%s: server: %s %s", verb, st.cond, st.text)
		}
		return st.text, nil
	}
}

// response reads one response: a tagged one is returned, an untagged
// one is recorded (c.exists, c.kind, c.text) or given to onFetch and
// nil returned.
func (c *client) response(onFetch func(*fetched)) (*status, error) {
	r := c.r
	tag := r.atom()
	switch {
	case r.err != nil:
	case tag == "*":
		r.sp()
		c.untagged(onFetch)
	case tag == "+":
		r.rest()
	default:
		r.sp()
		st := &status{tag: tag, cond: strings.ToUpper(r.atom())}
		st.text = strings.TrimPrefix(r.rest(), " ")
		if r.err == nil {
			return st, nil
		}
	}
	return nil, r.err
}

// untagged reads an untagged response after "* " (RFC 3501 §7).
func (c *client) untagged(onFetch func(*fetched)) {
	r := c.r
	a := r.atom()
	n, err := strconv.Atoi(a)
	if err != nil {
		c.kind = strings.ToUpper(a)
		n0 := r.n
		c.text = strings.TrimPrefix(r.rest(), " ")
		c.sum, c.size = r.sum, r.n-n0
		return
	}
	r.sp()
	c.kind = strings.ToUpper(r.atom())
	switch c.kind {
	case "FETCH":
		c.text = ""
		r.sp()
		f := r.fetchAtts(n)
		if onFetch != nil && r.err == nil {
			onFetch(f)
		}
	case "EXISTS":
		c.exists = n
		c.text = strings.TrimPrefix(r.rest(), " ")
	default:
		c.text = strings.TrimPrefix(r.rest(), " ")
	}
}

// login sends LOGIN (RFC 3501 §6.2.3) with quoted arguments.
func (c *client) login(user, pass string) error {
	_, err := c.command(nil, "LOGIN "+string(appendQuoted(nil, []byte(user)))+" "+string(appendQuoted(nil, []byte(pass))))
	return err
}

// logout sends LOGOUT; the server must say BYE first (RFC 3501 §6.1.3).
func (c *client) logout() error {
	if _, err := c.command(nil, "LOGOUT"); err != nil {
		return err
	}
	if c.kind != "BYE" {
		return fmt.Errorf("LOGOUT: no BYE")
	}
	return nil
}
