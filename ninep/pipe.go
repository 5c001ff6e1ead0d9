package ninep

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// PipeBuffer bounds the bytes one direction of a Pipe holds before a
// writer waits for the reader: enough for a burst of pipelined 9P
// requests or several full reads at the default msize.
const PipeBuffer = 256 << 10

// Pipe returns the two ends of an in-memory, full-duplex connection
// for a 9P client and a server in one process. Unlike net.Pipe, a
// write returns as soon as its bytes are buffered, so a 9P message
// costs no hand-over between goroutines until the buffer is full, and
// a reader takes everything buffered in one call. Close on either end
// ends both directions: reads return io.EOF once the buffer is
// drained, writes fail with io.ErrClosedPipe.
func Pipe() (net.Conn, net.Conn) {
	a, b := newHalf(), newHalf()
	return &pipeEnd{r: a, w: b}, &pipeEnd{r: b, w: a}
}

// A half is one direction: a byte queue with its waiters.
type half struct {
	mu     sync.Mutex
	cond   sync.Cond // signalled when data arrives, space frees or it closes
	buf    []byte    // buffered bytes are buf[off:]
	off    int
	closed bool
}

func newHalf() *half {
	h := new(half)
	h.cond.L = &h.mu
	return h
}

func (h *half) write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for len(p) > 0 {
		for !h.closed && len(h.buf)-h.off >= PipeBuffer {
			h.cond.Wait()
		}
		if h.closed {
			return n, io.ErrClosedPipe
		}
		if h.off > 0 && h.off == len(h.buf) {
			h.reset()
		}
		k := min(len(p), PipeBuffer-(len(h.buf)-h.off))
		h.buf = append(h.buf, p[:k]...)
		p = p[k:]
		n += k
		h.cond.Broadcast()
	}
	return n, nil
}

func (h *half) read(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.off == len(h.buf) {
		if h.closed {
			return 0, io.EOF
		}
		h.cond.Wait()
	}
	n := copy(p, h.buf[h.off:])
	h.off += n
	if h.off == len(h.buf) {
		h.reset()
	}
	h.cond.Broadcast()
	return n, nil
}

// reset empties the drained buffer, letting a large one go: an idle
// session should not keep a burst's worth of memory.
func (h *half) reset() {
	if cap(h.buf) > keptBuffer {
		h.buf = nil
	} else {
		h.buf = h.buf[:0]
	}
	h.off = 0
}

// keptBuffer is the most buffer capacity a drained half keeps.
const keptBuffer = 32 << 10

func (h *half) close() {
	h.mu.Lock()
	h.closed = true
	h.cond.Broadcast()
	h.mu.Unlock()
}

// A pipeEnd reads one half and writes the other.
type pipeEnd struct {
	r, w *half
}

func (e *pipeEnd) Read(p []byte) (int, error)  { return e.r.read(p) }
func (e *pipeEnd) Write(p []byte) (int, error) { return e.w.write(p) }

// Close ends both directions. Bytes already written in the other
// direction may still be read.
func (e *pipeEnd) Close() error {
	e.w.close()
	e.r.close()
	return nil
}

func (e *pipeEnd) LocalAddr() net.Addr  { return pipeAddr{} }
func (e *pipeEnd) RemoteAddr() net.Addr { return pipeAddr{} }

// Deadlines are not supported: 9P conversations in one process end by
// Close.
func (e *pipeEnd) SetDeadline(time.Time) error      { return os.ErrNoDeadline }
func (e *pipeEnd) SetReadDeadline(time.Time) error  { return os.ErrNoDeadline }
func (e *pipeEnd) SetWriteDeadline(time.Time) error { return os.ErrNoDeadline }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
