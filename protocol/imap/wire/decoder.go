package wire

import (
	"bufio"
	"io"
)

// Limits bound what one command may make a Decoder read or hold. A
// field that is zero or negative takes its default.
type Limits struct {
	// MaxLine is the longest command in octets, all its lines counted
	// but not its literal data. Default DefaultMaxLine.
	MaxLine int
	// MaxLiteral is the largest literal accepted, streamed or not.
	// Default DefaultMaxLiteral.
	MaxLiteral int64
	// MaxHeld is the most literal data one command may make the
	// decoder hold in memory (strings read with ExpectLiteral and the
	// readers built on it); streamed literals (ExpectLiteralData) do
	// not count. Default DefaultMaxHeld, and never more than MaxLiteral.
	MaxHeld int64
	// MaxLiterals is how many literals one command may carry.
	// Default DefaultMaxLiterals.
	MaxLiterals int
	// MaxNonSync, when positive, is the largest non-synchronizing
	// literal "{n+}" accepted, below MaxLiteral: 4096 for a server that
	// announces LITERAL- (RFC 7888 §4). One over it is a TOOBIG Error
	// that IsNonSyncTooBig reports, for the engine's BAD.
	MaxNonSync int64
}

// Defaults for Limits.
const (
	DefaultMaxLine     = 64 << 10
	DefaultMaxLiteral  = 64 << 20
	DefaultMaxHeld     = 1 << 20
	DefaultMaxLiterals = 1000
)

func (l Limits) withDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultMaxLiteral
	}
	if l.MaxHeld <= 0 {
		l.MaxHeld = DefaultMaxHeld
	}
	l.MaxHeld = min(l.MaxHeld, l.MaxLiteral)
	if l.MaxLiterals <= 0 {
		l.MaxLiterals = DefaultMaxLiterals
	}
	return l
}

// Options configure a Decoder.
type Options struct {
	Limits Limits
	// LiteralPlus accepts non-synchronizing literals "{n+}" (RFC 7888
	// §3); when false they are a syntax error (their data is still
	// discarded by Next). An engine that sets it advertises LITERAL+.
	LiteralPlus bool
	// Continue is called once before the data of each synchronizing
	// literal "{n}" is read, never for a literal that is refused. It
	// must write the continuation request ("+ Ready for literal data",
	// RFC 3501 §7.5) and flush. Its error is treated as an I/O error.
	// A nil Continue sends nothing (for tests and pipes).
	Continue func() error
}

// Decoder reads IMAP commands. It is not safe for concurrent use.
//
// The engine calls Next before each command, then reads the command
// with the Expect methods. They share a sticky error (Err): once one
// fails, all later reads fail until Next.
type Decoder struct {
	r      *bufio.Reader
	opts   Options
	limits Limits

	err   error // first error of this command: *Error or I/O
	ioErr error // the stream is unusable; sticks across Next

	lineLen  int            // octets of the command read, literal data excluded
	literals int            // literals seen in this command
	held     int64          // literal octets held in memory for this command
	ended    bool           // the command's final line end has been read
	pending  *LiteralHeader // header read; data neither requested nor refused
	remain   int64          // octets of a streamed literal the caller has not read
	litGen   int            // identifies the current literal reader
	tail     literalTail    // a literal header the current line may end with
	// nonSyncBig: the command's error is a "{n+}" over MaxNonSync
	nonSyncBig bool
	utf8Text   bool // quoted strings may hold UTF-8: after SEARCH CHARSET UTF-8 (esearch.go)
	scratch    []byte
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r *bufio.Reader, opts Options) *Decoder {
	return &Decoder{r: r, opts: opts, limits: opts.Limits.withDefaults(), ended: true}
}

// SetLimits replaces the Limits from the next command on (an engine
// lowers them before authentication and raises them after it).
func (d *Decoder) SetLimits(l Limits) { d.limits = l.withDefaults() }

// Err returns the error that stopped the current command: an *Error
// for a client mistake (see Error), anything else is an I/O error.
func (d *Decoder) Err() error { return d.err }

// Next starts a new command. It first discards whatever the previous
// command left unread (see DiscardLine), then clears the sticky error
// and the per-command limits. It returns only I/O errors.
func (d *Decoder) Next() error {
	if err := d.DiscardLine(); err != nil {
		return err
	}
	d.err = nil
	d.lineLen, d.literals, d.held = 0, 0, 0
	d.ended, d.nonSyncBig = false, false
	d.tail = literalTail{}
	d.utf8Text = false
	return nil
}

// Buffered returns how many octets the client has sent that the decoder
// holds unread. After STARTTLS's line end it must be 0: a client may
// not send more before the TLS handshake (RFC 3501 §6.2.1), and data
// that came in the clear must not be read as if it came over TLS.
func (d *Decoder) Buffered() int { return d.r.Buffered() }

// atStart reports whether nothing of the current command has been read.
func (d *Decoder) atStart() bool {
	return d.lineLen == 0 && d.literals == 0 && !d.ended
}

// ready reports whether the decoder may read command text: no error,
// no literal whose data is due, the command not yet ended. A streamed
// literal the caller did not finish is discarded first.
func (d *Decoder) ready() bool {
	if d.err != nil {
		return false
	}
	if d.remain > 0 {
		if !d.drain() {
			return false
		}
	}
	if d.pending != nil {
		return d.fail("literal data not read")
	}
	if d.ended {
		return d.fail("read past end of command")
	}
	return true
}

// peek returns the next octet of command text without consuming it.
func (d *Decoder) peek() (byte, bool) {
	if (d.err != nil || d.remain > 0 || d.pending != nil || d.ended) && !d.ready() {
		return 0, false
	}
	b, err := d.r.Peek(1)
	if err != nil {
		return 0, d.failIO(err)
	}
	return b[0], true
}

// next consumes and returns the next octet of command text. A line end
// is never refused for length, so a failed command never swallows the
// line end DiscardLine looks for.
func (d *Decoder) next() (byte, bool) {
	c, ok := d.peek()
	return c, ok && d.advance(c)
}

// advance consumes c, the octet peek just returned, counting it
// against MaxLine.
func (d *Decoder) advance(c byte) bool {
	if d.lineLen >= d.limits.MaxLine && c != '\r' && c != '\n' {
		return d.tooBig("command line too long (limit %d octets)", d.limits.MaxLine)
	}
	d.r.ReadByte() // cannot fail: Peek succeeded
	d.lineLen++
	d.tail.add(c)
	return true
}

// consume reads c if it comes next.
func (d *Decoder) consume(c byte) bool {
	b, ok := d.peek()
	return ok && b == c && d.advance(c)
}

// expect reads c or fails with "expected <what>".
func (d *Decoder) expect(c byte, what string) bool {
	b, ok := d.peek()
	if !ok {
		return false
	}
	if b != c {
		return d.fail("expected %s", what)
	}
	return d.advance(c)
}

// SP reads a space if one comes next (for optional arguments).
func (d *Decoder) SP() bool { return d.consume(' ') }

// ExpectSP reads a space.
func (d *Decoder) ExpectSP() bool { return d.expect(' ', "SP") }

// Special reads c (such as '(' or ')') if it comes next.
func (d *Decoder) Special(c byte) bool { return d.consume(c) }

// ExpectSpecial reads c.
func (d *Decoder) ExpectSpecial(c byte) bool { return d.expect(c, quote(string(c))) }

// Peek returns the next octet without consuming it, or 0 after an error.
func (d *Decoder) Peek() byte {
	c, _ := d.peek()
	return c
}

// AtEOL reports whether the command's line end comes next.
func (d *Decoder) AtEOL() bool {
	c, ok := d.peek()
	return ok && (c == '\r' || c == '\n')
}

// lineEnd reads CRLF, or a bare LF as Plan 9 clients send (spec §2.11).
func (d *Decoder) lineEnd() bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	if c == '\r' {
		d.next()
		if c, ok = d.peek(); !ok {
			return false
		}
		if c != '\n' {
			return d.fail("expected LF after CR")
		}
	}
	if c != '\n' {
		return d.fail("expected end of line")
	}
	_, ok = d.next()
	d.tail = literalTail{}
	return ok
}

// ExpectCRLF reads the line end that ends the command (RFC 3501 §2.2.1).
// No more of the command may be read after it.
func (d *Decoder) ExpectCRLF() bool {
	if !d.lineEnd() {
		return false
	}
	d.ended = true
	return true
}

// drain discards the unread rest of a streamed literal.
func (d *Decoder) drain() bool {
	n := d.remain
	d.remain = 0
	d.litGen++
	if err := d.discard(n); err != nil {
		return false
	}
	return true
}

// discard skips n octets of literal data.
func (d *Decoder) discard(n int64) error {
	if _, err := io.CopyN(io.Discard, d.r, n); err != nil {
		d.failIO(err)
		return d.ioErr
	}
	return nil
}
