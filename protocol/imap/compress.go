package imap

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"p9mail/protocol/internal/inflate"
)

// COMPRESS=DEFLATE (RFC 4978) is announced once authenticated. The
// client's stream is inflated by protocol/internal/inflate, not
// compress/flate: compress/flate's reader hands out inflated data only
// at a sync flush (an empty stored block), when its window fills or at
// the final block, so a client that ends its bursts with zlib's
// Z_PARTIAL_FLUSH, as mbsync (isync 1.4) does, would wait for ever for
// the reply to its first compressed command. inflate hands out what it
// has decoded whenever its input runs dry, whatever flush the client
// uses (TestCompressPartialFlush, TestInteropMbsyncAppend).
//
// After the tagged OK both directions are
// raw deflate (RFC 1951). The session's reader, writer, decoder and
// encoder are rebuilt on a compressConn over the connection (setConn),
// so every limit of the decoder (MaxLine, MaxLiteral, MaxStrings)
// counts inflated octets, and the deadlines (IdleTimeout) are the
// connection's. After STARTTLS the connection is the TLS one, so
// deflate runs inside TLS (RFC 4978 §4); STARTTLS cannot come later,
// being valid only before login.
//
// Each flush of the session's writer (one burst of responses) is one
// Write here, ended by a sync flush, so the client can decode all of it
// at once (RFC 4978 §3: "flush ... after each response burst").
//
// A decompression bomb is bounded twice: each Read inflates at most the
// buffer it is given (the bufio reader's 16 KiB; inflate decodes no
// more than it is asked for), and a client whose inflated octets pass
// MaxCompressRatio times its compressed octets
// (past a first MiB) is cut off; otherwise a few KiB could make the
// decoder skip gigabytes of an over-long line.

// DefaultMaxCompressRatio bounds inflated over compressed octets.
const DefaultMaxCompressRatio = 100

// compressSlack is how many inflated octets a client may send before
// the ratio counts.
const compressSlack = 1 << 20

var errCompressRatio = errors.New("imap compress: inflated data too large for its compressed size")

// compressConn is a net.Conn whose data is deflated each way.
type compressConn struct {
	net.Conn
	raw   *countReader
	fr    *inflate.Reader
	fw    *flate.Writer
	ratio int64
	in    int64 // inflated octets read

	mu sync.Mutex // guards fw: Write and Close
}

// countReader counts the compressed octets read from the connection.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newCompressConn starts deflate on c; pending is what the session had
// read from c but not yet used (compressed data the client sent right
// after the OK; in practice none).
func newCompressConn(c net.Conn, pending []byte, ratio int) (*compressConn, error) {
	fw, err := flate.NewWriter(c, flate.DefaultCompression)
	if err != nil {
		return nil, err
	}
	raw := &countReader{r: io.MultiReader(bytes.NewReader(pending), c)}
	return &compressConn{Conn: c, raw: raw, fr: inflate.NewReader(raw), fw: fw, ratio: int64(ratio)}, nil
}

func (c *compressConn) Read(p []byte) (int, error) {
	n, err := c.fr.Read(p)
	c.in += int64(n)
	if c.in > compressSlack && c.in > c.ratio*c.raw.n {
		return n, errCompressRatio
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	} else if err != nil {
		err = fmt.Errorf("imap compress: %w", err)
	}
	return n, err
}

func (c *compressConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.fw.Write(p)
	if err == nil {
		err = c.fw.Flush()
	}
	return n, err
}

// Close ends the deflate stream (best effort) and closes the connection.
func (c *compressConn) Close() error {
	c.mu.Lock()
	c.fw.Close()
	c.mu.Unlock()
	c.fr.Close()
	return c.Conn.Close()
}

// compress runs COMPRESS (RFC 4978 §3).
func (s *session) compress(tag, cmd string) error {
	var alg string
	if !s.dec.ExpectSP() || !s.dec.ExpectAtom(&alg) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if _, ok := s.conn.(*compressConn); ok {
		return no("COMPRESSIONACTIVE", cmd+" DEFLATE already active")
	}
	if !strings.EqualFold(alg, "DEFLATE") {
		return no("", cmd+" unknown compression algorithm")
	}
	pending, _ := s.r.Peek(s.r.Buffered())
	pending = bytes.Clone(pending)
	cc, err := newCompressConn(s.conn, pending, s.cfg.MaxCompressRatio)
	if err != nil {
		return no("", cmd+" "+err.Error())
	}
	s.tagged(tag, "OK", "", "DEFLATE active")
	s.flush()
	if err := s.w.Flush(); err != nil {
		s.state = logout
		return nil
	}
	s.setConn(cc)
	return nil
}
