package wire

// DiscardLine skips the unread rest of the current command so that the
// next read starts a new one; Next calls it. It discards
//   - the rest of a streamed literal (ExpectLiteralData) not read;
//   - the data of a non-synchronizing literal "{n+}" whose header was
//     read but whose data was not (it is on its way regardless, RFC 7888);
//   - the rest of the line, and of each following line that a "{n+}"
//     at the end of a line continues (see skipLines).
//
// A synchronizing literal "{n}" that got no continuation ends the
// command: the client sends nothing more for it (RFC 3501 §7.5), so
// nothing is skipped after it. DiscardLine returns only I/O errors,
// and ErrNonSyncTooBig for a skipped "{n+}" over Limits.MaxNonSync.
func (d *Decoder) DiscardLine() error {
	if d.ioErr != nil {
		return d.ioErr
	}
	if d.remain > 0 && !d.drain() {
		return d.ioErr
	}
	if p := d.pending; p != nil {
		d.pending = nil
		if !p.NonSync {
			d.ended = true
			return nil
		}
		if err := d.discard(p.Size); err != nil {
			return err
		}
	}
	if d.ended {
		return nil
	}
	d.ended = true
	return d.skipLines()
}

// skipLines reads up to a line end, following non-synchronizing
// literals that end a line: every line that ends in "{n+}", counting
// what was read of it before the error, is taken to be followed by n
// octets, as the client will have meant. Nothing is kept, so a line
// over MaxLine costs time but no memory.
func (d *Decoder) skipLines() error {
	tail := d.tail
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			d.failIO(err)
			return d.ioErr
		}
		if c != '\n' {
			tail.add(c)
			continue
		}
		size, nonSync, ok := tail.header()
		if !ok || !nonSync {
			return nil
		}
		if d.limits.MaxNonSync > 0 && size > d.limits.MaxNonSync {
			d.failSession(ErrNonSyncTooBig)
			return d.ioErr
		}
		if err := d.discard(size); err != nil {
			return err
		}
		tail = literalTail{}
	}
}

// literalTail recognises a literal header "{n}" or "{n+}" (optionally
// followed by CR) at the end of the octets fed to it so far.
type literalTail struct {
	state   int8 // 0 none, 1 in "{digits", 2 after "+", 3 after "}", 4 after "}\r"
	digits  int
	size    int64
	nonSync bool
}

func (t *literalTail) add(c byte) {
	switch {
	case c == '{':
		*t = literalTail{state: 1}
	case t.state == 1 && c >= '0' && c <= '9':
		if t.size > (1<<62)/10 {
			t.state = 0 // no client sends this much; not a header we honour
			return
		}
		t.size = t.size*10 + int64(c-'0')
		t.digits++
	case t.state == 1 && c == '+' && t.digits > 0:
		t.nonSync, t.state = true, 2
	case (t.state == 1 && t.digits > 0 || t.state == 2) && c == '}':
		t.state = 3
	case t.state == 3 && c == '\r':
		t.state = 4
	default:
		t.state = 0
	}
}

// header reports the literal the line ends with, if any.
func (t *literalTail) header() (size int64, nonSync, ok bool) {
	if t.state != 3 && t.state != 4 {
		return 0, false, false
	}
	return t.size, t.nonSync, true
}
