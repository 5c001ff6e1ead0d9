package mbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// CtimeLayout is the date of a From line: Plan 9's ctime(2) form.
const CtimeLayout = "Mon Jan _2 15:04:05 MST 2006"

// FromLine returns the envelope line "From <sender> <date>\n" (spec
// §1.4 unixheader, §1.8). The date is in date's own location, in Plan 9
// ctime form; UTC is written GMT, as Plan 9 does. An empty sender is
// written "???"; white space and control characters in it become '_',
// so that the line stays one sender and one date.
func FromLine(sender string, date time.Time) string {
	if sender == "" {
		sender = "???"
	}
	sender = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, sender)
	d := date.Format(CtimeLayout)
	if name, _ := date.Zone(); name == "UTC" {
		d = strings.Replace(d, " UTC ", " GMT ", 1)
	}
	return fromLine + sender + " " + d + "\n"
}

// Format writes msg as one mbox message (spec §1.8, §2.9 APPEND):
// FromLine(sender, date), then msg with CRLF turned into LF and every
// line beginning "From " escaped by prepending a space, ending with
// "\n" (added if msg lacks it) plus the one empty separator line. Only
// lines beginning "From " change, and no valid header line does (a
// field name is followed by ':'), so header lines are in effect not
// touched; escaping them too keeps a malformed header from splitting
// the message. The output always scans as exactly one message.
func Format(w io.Writer, sender string, date time.Time, msg []byte) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(FromLine(sender, date))
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line = msg[:i+1]
		}
		msg = msg[len(line):]
		if bytes.HasPrefix(line, []byte(fromLine)) {
			bw.WriteByte(' ')
		}
		switch {
		case bytes.HasSuffix(line, []byte("\r\n")):
			bw.Write(line[:len(line)-2])
			bw.WriteByte('\n')
		case line[len(line)-1] == '\n':
			bw.Write(line)
		default: // the last line, without its newline
			bw.Write(line)
			bw.WriteByte('\n')
		}
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mbox: format: %w", err)
	}
	return nil
}
