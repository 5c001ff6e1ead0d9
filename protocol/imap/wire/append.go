package wire

import "time"

// Append is APPEND's arguments up to the message literal (RFC 3501
// §6.3.11).
type Append struct {
	Mailbox string    // decoded as by ExpectMailbox
	Flags   []string  // nil when no flag list was given
	Date    time.Time // zero when no date-time was given
	Literal LiteralHeader
	// Catenate: the message is CATENATE's parts (RFC 4469 §5), read
	// with ExpectCatPart and ExpectCatNext; Literal is unset.
	Catenate bool
}

// ExpectAppend reads APPEND's arguments after "APPEND" SP: mailbox
// [SP flag-list] [SP date-time] SP literal-header. It stops before the
// message data, so the engine can check the mailbox and size first,
// then take the data with ExpectLiteralData (which sends the
// continuation) or refuse it with a tagged NO and Next (spec §5.2).
// The literal may be a literal8 "~{n}" (RFC 3516 §4.4): a.Literal.Binary.
// After the data the command ends with ExpectCRLF, or, for MULTIAPPEND
// (RFC 3502), goes on with ExpectAppendNext.
func (d *Decoder) ExpectAppend(a *Append) bool {
	*a = Append{}
	if !d.ExpectMailbox(&a.Mailbox) || !d.ExpectSP() {
		return false
	}
	if c, ok := d.peek(); ok && c == '(' {
		if !d.ExpectFlagList(&a.Flags) || !d.ExpectSP() {
			return false
		}
	}
	if c, ok := d.peek(); ok && c == '"' {
		if !d.ExpectDateTime(&a.Date) || !d.ExpectSP() {
			return false
		}
	}
	return d.appendData(a)
}

// ExpectAppendNext reads, after one message's data, what MULTIAPPEND
// (RFC 3502 §6.3.11) lets follow it: the line end (more is false) or
// SP [flag-list SP] [date-time SP] literal-header for one more message
// (more is true, a filled in; its Mailbox is left empty).
func (d *Decoder) ExpectAppendNext(a *Append, more *bool) bool {
	*more = false
	if d.err != nil {
		return false
	}
	if c, ok := d.peek(); !ok {
		return false
	} else if c != ' ' {
		return d.ExpectCRLF()
	}
	*a = Append{}
	if !d.ExpectSP() {
		return false
	}
	if c, ok := d.peek(); ok && c == '(' {
		if !d.ExpectFlagList(&a.Flags) || !d.ExpectSP() {
			return false
		}
	}
	if c, ok := d.peek(); ok && c == '"' {
		if !d.ExpectDateTime(&a.Date) || !d.ExpectSP() {
			return false
		}
	}
	*more = true
	return d.appendData(a)
}

// appendData reads a message's literal header or, for CATENATE (RFC
// 4469 §5 append-data-ext), "CATENATE" SP "(": the parts follow.
func (d *Decoder) appendData(a *Append) bool {
	if c, ok := d.peek(); ok && (c == 'C' || c == 'c') {
		var kw string
		if !d.keyword(&kw, "CATENATE") {
			return false
		}
		if kw != "CATENATE" {
			return d.fail("expected literal or CATENATE")
		}
		a.Catenate = true
		return d.ExpectSP() && d.expect('(', `"(" to start CATENATE parts`)
	}
	return d.ExpectLiteral8Header(&a.Literal)
}
