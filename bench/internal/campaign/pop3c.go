//go:build unix

package campaign

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"time"
)

// A POP3 is a raw POP3 client (RFC 1939).
type POP3 struct {
	conn    net.Conn
	br      *bufio.Reader
	Timeout time.Duration
}

// DialPOP3 connects and reads the greeting, which must be +OK.
func DialPOP3(addr string, timeout time.Duration) (*POP3, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c := &POP3{conn: conn, br: bufio.NewReader(conn), Timeout: timeout}
	conn.SetDeadline(time.Now().Add(timeout))
	line, err := c.line()
	if err == nil && !strings.HasPrefix(line, "+OK") {
		err = fmt.Errorf("greeting %q", line)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// Close hangs up.
func (c *POP3) Close() error { return c.conn.Close() }

func (c *POP3) line() (string, error) {
	s, err := c.br.ReadString('\n')
	return strings.TrimRight(s, "\r\n"), err
}

// Cmd sends one command and returns its status line, which must be
// +OK unless the error says otherwise.
func (c *POP3) Cmd(cmd string) (string, error) {
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	if _, err := fmt.Fprintf(c.conn, "%s\r\n", cmd); err != nil {
		return "", err
	}
	line, err := c.line()
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "+OK") {
		verb, _, _ := strings.Cut(cmd, " ")
		return line, fmt.Errorf("%s: %s", verb, line)
	}
	return line, nil
}

// Multi sends a command answered by a multi-line response and returns
// its lines, dot-unstuffed, LF-terminated.
func (c *POP3) Multi(cmd string) ([]byte, error) {
	if _, err := c.Cmd(cmd); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for {
		line, err := c.line()
		if err != nil {
			return nil, err
		}
		if line == "." {
			return b.Bytes(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
		b.WriteByte('\n')
	}
}
