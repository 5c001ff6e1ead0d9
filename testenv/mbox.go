package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// WriteMbox writes n generated messages (kinds from KindOf) to w as a
// Plan 9 mbox (spec §1.8): for each message its From line (Envelope),
// the message with body lines that start "From " (after any spaces)
// escaped by one leading space, and a terminating empty line. It returns
// the byte offset of each message's From line. The same (seed, n) always
// gives the same bytes.
func WriteMbox(w io.Writer, seed int64, n int) ([]int64, error) {
	return writeMbox(w, seed, n, func(i int) Kind { return KindOf(seed, i) })
}

// writeMbox writes messages 0..n-1 with the kinds kindOf gives.
func writeMbox(w io.Writer, seed int64, n int, kindOf func(int) Kind) ([]int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	offsets := make([]int64, 0, max(n, 0))
	var g gen
	var line []byte
	var off int64
	for i := 0; i < n; i++ {
		k := kindOf(i)
		offsets = append(offsets, off)
		line = appendEnvelope(line[:0], seed, i, k)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil { // the previous message's error sticks
			return nil, fmt.Errorf("write mbox: %w", err)
		}
		m := g.message(seed, i, k)
		written := writeEscaped(bw, m)
		bw.WriteByte('\n')
		off += int64(len(line)) + written + 1
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("write mbox: %w", err)
	}
	return offsets, nil
}

// fromPrefix starts the lines an mbox reader takes as message starts.
var fromPrefix = []byte("From ")

// needsEscape reports whether line, the bytes from a line start, begins
// with "From " after any spaces: such a line gets one more leading space
// when stored (spec §1.8: deliver's rule, which keeps escaping
// reversible).
func needsEscape(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, " "), fromPrefix)
}

// writeEscaped writes msg to bw, escaping its "From " lines, and returns
// the number of bytes written. Errors stick in bw and surface at Flush.
func writeEscaped(bw *bufio.Writer, msg []byte) int64 {
	var n int64
	// Invariant: msg begins at the start of a line.
	for {
		at := bytes.Index(msg, fromPrefix)
		if at < 0 {
			break
		}
		start := bytes.LastIndexByte(msg[:at], '\n') + 1
		if needsEscape(msg[start : at+len(fromPrefix)]) {
			bw.Write(msg[:start])
			bw.WriteByte(' ')
			n += int64(start) + 1
			msg, at = msg[start:], at-start
		}
		eol := bytes.IndexByte(msg[at:], '\n')
		if eol < 0 {
			break
		}
		cut := at + eol + 1
		bw.Write(msg[:cut])
		n += int64(cut)
		msg = msg[cut:]
	}
	bw.Write(msg)
	return n + int64(len(msg))
}

// EscapeFrom returns msg with every line that starts "From " after any
// spaces given one more leading space: what WriteMbox stores.
func EscapeFrom(msg []byte) []byte {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	writeEscaped(bw, msg)
	bw.Flush()
	return b.Bytes()
}
