package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"strings"
	"time"
)

// A client is a minimal POP3 client (RFC 1939): one command at a time,
// as fetchmail and mpop do without pipelining.
type client struct {
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	timeout time.Duration
	line    []byte // the last line read when it outgrew the buffer
}

// dial connects to addr and reads the greeting.
func dial(addr string, timeout time.Duration) (*client, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c := &client{
		conn:    conn,
		r:       bufio.NewReaderSize(conn, 64<<10),
		w:       bufio.NewWriterSize(conn, 4<<10),
		timeout: timeout,
	}
	c.conn.SetDeadline(time.Now().Add(timeout))
	if _, err := c.status(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	return c, nil
}

func (c *client) close() error { return c.conn.Close() }

// cmd sends one command line and returns the text after "+OK".
func (c *client) cmd(format string, args ...any) (string, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	fmt.Fprintf(c.w, format, args...)
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	return c.status()
}

// status reads a status line: "+OK text" gives text, "-ERR text" an error.
func (c *client) status() (string, error) {
	b, err := c.readLine()
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\r\n")
	if rest, ok := strings.CutPrefix(s, "+OK"); ok {
		return strings.TrimPrefix(rest, " "), nil
	}
	return "", fmt.Errorf("server: %q", s)
}

// readLine returns the next line with its terminator. The slice is valid
// until the next read.
func (c *client) readLine() ([]byte, error) {
	b, err := c.r.ReadSlice('\n')
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	c.line = append(c.line[:0], b...)
	for errors.Is(err, bufio.ErrBufferFull) {
		b, err = c.r.ReadSlice('\n')
		c.line = append(c.line, b...)
	}
	if err != nil {
		return nil, err
	}
	return c.line, nil
}

// A body is what a multi-line response carried, dot-stuffing removed:
// its lines, its octets (CRLF counted as two, as RFC 1939 sizes are) and
// a CRC-32C of its bytes with each line end normalised to CRLF.
type body struct {
	lines  int
	octets int64
	crc    uint32
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var crlf = []byte("\r\n")

// multiline reads a multi-line response body up to the "." line
// (RFC 1939 §3).
func (c *client) multiline() (body, error) {
	var bd body
	for {
		b, err := c.readLine()
		if err != nil {
			return bd, fmt.Errorf("multi-line response: %w", err)
		}
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
		if b, ok := bytes.CutPrefix(b, []byte(".")); ok {
			if len(b) == 0 {
				return bd, nil
			}
			bd.add(b)
			continue
		}
		bd.add(b)
	}
}

func (bd *body) add(line []byte) {
	bd.lines++
	bd.octets += int64(len(line)) + 2
	bd.crc = crc32.Update(bd.crc, castagnoli, line)
	bd.crc = crc32.Update(bd.crc, castagnoli, crlf)
}

// stat sends STAT and returns the message count and size.
func (c *client) stat() (int, int64, error) {
	s, err := c.cmd("STAT")
	if err != nil {
		return 0, 0, fmt.Errorf("STAT: %w", err)
	}
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, 0, fmt.Errorf("STAT: bad reply %q", s)
	}
	n, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("STAT: bad reply %q: %w", s, err)
	}
	return n, size, nil
}

// login authenticates with USER and PASS (RFC 1939 §7).
func (c *client) login(user, pass string) error {
	if _, err := c.cmd("USER %s", user); err != nil {
		return fmt.Errorf("USER: %w", err)
	}
	if _, err := c.cmd("PASS %s", pass); err != nil {
		return fmt.Errorf("PASS: %w", err)
	}
	return nil
}
