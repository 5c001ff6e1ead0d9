//go:build unix

// Package campaign is the crash and stress campaign of docs/campaign.md:
// real binaries killed with SIGKILL at random points of mail operations
// (RunCrash), and many checking IMAP clients at once (RunStress). The
// commands bench/crash and bench/stress run it at full size; the tests
// of this package run it at CI size.
package campaign

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// An IMAP is a raw IMAP4rev1 client (RFC 3501): one command at a time,
// each response read whole, literals included, and parsed on demand.
type IMAP struct {
	partial []byte // a response cut by a read deadline (IDLE's end)
	conn    net.Conn
	br      *bufio.Reader
	tag     int
	Timeout time.Duration
}

// A Resp is one server response: Tag is "*", "+" or the command's tag;
// Raw is its bytes, literals inline, without the final CRLF.
type Resp struct {
	Tag string
	Raw []byte
}

// maxResp bounds one response kept in memory.
const maxResp = 64 << 20

// DialIMAP connects to addr (from local, if not nil) and reads the
// greeting, which must be OK.
func DialIMAP(addr string, local net.Addr, timeout time.Duration) (*IMAP, error) {
	d := net.Dialer{Timeout: timeout, LocalAddr: local}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &IMAP{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), Timeout: timeout}
	conn.SetDeadline(time.Now().Add(timeout))
	r, err := c.read()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if !bytes.HasPrefix(r.Raw, []byte("* OK")) {
		conn.Close()
		return nil, fmt.Errorf("greeting: %q", r.Raw)
	}
	return c, nil
}

// Close hangs up.
func (c *IMAP) Close() error { return c.conn.Close() }

// read reads one response.
func (c *IMAP) read() (*Resp, error) {
	buf := c.partial
	c.partial = nil
	for {
		line, err := c.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			buf = append(buf, line...)
			if len(buf) > maxResp {
				return nil, errors.New("response too long")
			}
			continue
		}
		if err != nil {
			c.partial = append(buf, line...)
			return nil, err
		}
		buf = append(buf, line...)
		body := bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		n, ok := literalSize(body)
		if !ok {
			buf = body
			break
		}
		if n < 0 || len(buf)+int(n) > maxResp {
			return nil, fmt.Errorf("literal of %d bytes", n)
		}
		start := len(buf)
		buf = append(buf, make([]byte, n)...)
		if _, err := io.ReadFull(c.br, buf[start:]); err != nil {
			return nil, err
		}
	}
	tag, _, _ := bytes.Cut(buf, []byte(" "))
	return &Resp{Tag: string(tag), Raw: buf}, nil
}

// literalSize reports whether line ends with a literal's "{n}".
func literalSize(line []byte) (int64, bool) {
	if !bytes.HasSuffix(line, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(line[i+1:len(line)-1]), 10, 64)
	return n, err == nil
}

// A Status is a tagged response: Cond is OK, NO or BAD.
type Status struct {
	Cond, Text string
}

func (s Status) String() string { return s.Cond + " " + s.Text }

// Command sends cmd, then literal if not nil as a LITERAL+ literal
// (RFC 7888) after cmd, and reads responses up to the tagged one. Each
// untagged response goes to onUntagged if not nil; an error from it
// ends the command.
func (c *IMAP) Command(cmd string, literal []byte, onUntagged func(*Resp) error) (Status, error) {
	c.tag++
	tag := "c" + strconv.Itoa(c.tag)
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	var b bytes.Buffer
	b.WriteString(tag + " " + cmd)
	if literal != nil {
		fmt.Fprintf(&b, " {%d+}\r\n", len(literal))
		b.Write(literal)
	}
	b.WriteString("\r\n")
	if _, err := c.conn.Write(b.Bytes()); err != nil {
		return Status{}, err
	}
	return c.finish(tag, onUntagged)
}

// finish reads to the response tagged tag.
func (c *IMAP) finish(tag string, onUntagged func(*Resp) error) (Status, error) {
	for {
		r, err := c.read()
		if err != nil {
			return Status{}, err
		}
		switch r.Tag {
		case "*":
			if onUntagged != nil {
				if err := onUntagged(r); err != nil {
					return Status{}, err
				}
			}
		case tag:
			rest := string(r.Raw[len(tag):])
			rest = strings.TrimPrefix(rest, " ")
			cond, text, _ := strings.Cut(rest, " ")
			return Status{Cond: strings.ToUpper(cond), Text: text}, nil
		case "+":
			return Status{}, fmt.Errorf("unexpected continuation %q", r.Raw)
		default:
			return Status{}, fmt.Errorf("response tagged %q, want %q", r.Tag, tag)
		}
	}
}

// Idle runs IDLE (RFC 2177) for about d, giving untagged responses to
// onUntagged.
func (c *IMAP) Idle(d time.Duration, onUntagged func(*Resp) error) (Status, error) {
	c.tag++
	tag := "c" + strconv.Itoa(c.tag)
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	if _, err := io.WriteString(c.conn, tag+" IDLE\r\n"); err != nil {
		return Status{}, err
	}
	for {
		r, err := c.read()
		if err != nil {
			return Status{}, err
		}
		if r.Tag == "+" {
			break
		}
		if r.Tag != "*" {
			return Status{Cond: "?", Text: string(r.Raw)}, nil
		}
		if onUntagged != nil {
			if err := onUntagged(r); err != nil {
				return Status{}, err
			}
		}
	}
	c.conn.SetReadDeadline(time.Now().Add(d))
	for {
		r, err := c.read()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			break
		}
		if err != nil {
			return Status{}, err
		}
		if r.Tag != "*" {
			return Status{}, fmt.Errorf("during IDLE: %q", r.Raw)
		}
		if onUntagged != nil {
			if err := onUntagged(r); err != nil {
				return Status{}, err
			}
		}
	}
	// A response cut by the deadline is kept in c.partial and read on.
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	if _, err := io.WriteString(c.conn, "DONE\r\n"); err != nil {
		return Status{}, err
	}
	return c.finish(tag, onUntagged)
}

// Login sends LOGIN with quoted arguments; the reply must be OK.
func (c *IMAP) Login(user, pass string) error {
	st, err := c.Command("LOGIN "+strconv.Quote(user)+" "+strconv.Quote(pass), nil, nil)
	if err != nil {
		return err
	}
	if st.Cond != "OK" {
		return fmt.Errorf("LOGIN: %s", st)
	}
	return nil
}

// Untagged splits an untagged response: "* 3 FETCH (...)" gives 3,
// "FETCH" and the rest; "* OK [..] text" gives -1, "OK", the rest.
func Untagged(r *Resp) (num int64, kind string, rest []byte) {
	b := bytes.TrimPrefix(r.Raw, []byte("* "))
	first, after, _ := bytes.Cut(b, []byte(" "))
	n, err := strconv.ParseInt(string(first), 10, 64)
	if err != nil {
		return -1, strings.ToUpper(string(first)), after
	}
	k, after, _ := bytes.Cut(after, []byte(" "))
	return n, strings.ToUpper(string(k)), after
}

// A Value is one parsed item of a response: an atom (or number), a
// string (quoted or literal), NIL, or a parenthesized list.
type Value struct {
	Atom   string
	Str    []byte
	IsStr  bool
	List   []Value
	IsList bool
}

// ParseList parses b, which must begin with a parenthesized list, and
// returns that list.
func ParseList(b []byte) (Value, error) {
	p := &parser{b: b}
	v := p.value()
	if p.err == nil && !v.IsList {
		p.err = errors.New("not a list")
	}
	return v, p.err
}

type parser struct {
	b   []byte
	i   int
	err error
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("at %d: "+format, append([]any{p.i}, args...)...)
	}
}

func (p *parser) value() Value {
	if p.i >= len(p.b) {
		p.fail("value missing")
		return Value{}
	}
	switch p.b[p.i] {
	case '(':
		p.i++
		v := Value{IsList: true}
		for p.err == nil {
			for p.i < len(p.b) && p.b[p.i] == ' ' {
				p.i++
			}
			if p.i < len(p.b) && p.b[p.i] == ')' {
				p.i++
				return v
			}
			v.List = append(v.List, p.value())
		}
		return v
	case '"':
		p.i++
		var s []byte
		for p.i < len(p.b) && p.b[p.i] != '"' {
			if p.b[p.i] == '\\' {
				p.i++
			}
			if p.i < len(p.b) {
				s = append(s, p.b[p.i])
				p.i++
			}
		}
		if p.i >= len(p.b) {
			p.fail("unterminated string")
		}
		p.i++
		return Value{Str: s, IsStr: true}
	case '{':
		j := bytes.IndexByte(p.b[p.i:], '\n')
		if j < 0 {
			p.fail("bad literal")
			return Value{}
		}
		n, ok := literalSize(bytes.TrimSuffix(p.b[p.i:p.i+j], []byte("\r")))
		start := p.i + j + 1
		if !ok || n < 0 || start+int(n) > len(p.b) {
			p.fail("bad literal")
			return Value{}
		}
		p.i = start + int(n)
		return Value{Str: p.b[start:p.i], IsStr: true}
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == ' ' || c == '(' || c == ')' {
			break
		}
		p.i++
		if c == '[' {
			for p.i < len(p.b) && p.b[p.i] != ']' {
				p.i++
			}
			if p.i < len(p.b) {
				p.i++
			}
		}
	}
	if p.i == start {
		p.fail("empty atom")
	}
	a := string(p.b[start:p.i])
	if strings.EqualFold(a, "NIL") {
		return Value{}
	}
	return Value{Atom: a}
}

// FetchItems parses the list of a FETCH response ("(UID 4 FLAGS (..))")
// into its items by upper-case name.
func FetchItems(rest []byte) (map[string]Value, error) {
	v, err := ParseList(rest)
	if err != nil {
		return nil, err
	}
	if len(v.List)%2 != 0 {
		return nil, fmt.Errorf("odd FETCH list %q", rest)
	}
	m := make(map[string]Value, len(v.List)/2)
	for i := 0; i < len(v.List); i += 2 {
		m[strings.ToUpper(v.List[i].Atom)] = v.List[i+1]
	}
	return m, nil
}

// Num is an atom's value as a number, -1 if it is not one.
func (v Value) Num() int64 {
	n, err := strconv.ParseInt(v.Atom, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// Flags are a list's atoms.
func (v Value) Flags() []string {
	var f []string
	for _, x := range v.List {
		f = append(f, x.Atom)
	}
	return f
}

// RespCode returns the response code of a status text ("[APPENDUID 3
// 7] done" gives "APPENDUID 3 7"), or "".
func RespCode(text string) string {
	if !strings.HasPrefix(text, "[") {
		return ""
	}
	code, _, _ := strings.Cut(text[1:], "]")
	return code
}
