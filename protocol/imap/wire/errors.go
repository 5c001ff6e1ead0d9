package wire

import (
	"errors"
	"fmt"
	"io"
)

// Error is a command the client got wrong. Its Msg is short, 7-bit and
// free of CR and LF, fit to follow "tag BAD " (or "tag NO [TOOBIG] "
// when Code says so). After an Error the session goes on: the engine
// replies, then calls Next, which discards the rest of the command.
// Every other error a Decoder reports is an I/O error (io.EOF when the
// client closed the connection between commands) and ends the session.
type Error struct {
	// Code is the response code (RFC 3501 §7.1) the reply should carry:
	// "" for a syntax error, CodeTooBig when a limit was exceeded.
	Code string
	Msg  string
}

// CodeTooBig marks an Error caused by Limits (RFC 7889 §4, RFC 4469 §7).
const CodeTooBig = "TOOBIG"

// CodeBadMailbox marks a mailbox name that is not modified UTF-7: the
// command is well formed, the name just names no mailbox, so the engine
// answers NO (RFC 3501 §7.1.2; spec §2.4 "undecodable → bad mailbox").
const CodeBadMailbox = "BADMAILBOX"

// IsBadMailbox reports whether err is a mailbox name that did not decode.
func IsBadMailbox(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeBadMailbox
}

func (e *Error) Error() string { return e.Msg }

// IsTooBig reports whether err is an Error caused by Limits.
func IsTooBig(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeTooBig
}

// ErrNonSyncTooBig ends a session whose command, skipped after an
// error, ends a line in a non-synchronizing literal over
// Limits.MaxNonSync: under LITERAL- its data is not read (RFC 7888 §4
// lets the server close the connection), so the stream cannot be
// followed further. DiscardLine (and Next) return it.
var ErrNonSyncTooBig = errors.New("imap wire: non-synchronizing literal over the LITERAL- limit")

// IsNonSyncTooBig reports whether the command's error is a
// non-synchronizing literal over Limits.MaxNonSync (RFC 7888 §4: the
// server answers BAD).
func (d *Decoder) IsNonSyncTooBig() bool { return d.nonSyncBig && IsTooBig(d.err) }

// fail records a syntax error unless an earlier error sticks.
func (d *Decoder) fail(format string, args ...any) bool {
	if d.err == nil {
		d.err = &Error{Msg: fmt.Sprintf(format, args...)}
	}
	return false
}

// tooBig records a limit error unless an earlier error sticks.
func (d *Decoder) tooBig(format string, args ...any) bool {
	if d.err == nil {
		d.err = &Error{Code: CodeTooBig, Msg: fmt.Sprintf(format, args...)}
	}
	return false
}

// failIO records an I/O error from reading; it sticks for the rest of
// the session. An EOF inside a command becomes io.ErrUnexpectedEOF.
func (d *Decoder) failIO(err error) bool {
	if err == io.EOF && !d.atStart() {
		err = io.ErrUnexpectedEOF
	}
	return d.failSession(fmt.Errorf("imap wire: read command: %w", err))
}

// failSession records an error that ends the session.
func (d *Decoder) failSession(err error) bool {
	if d.ioErr == nil {
		d.ioErr = err
	}
	d.err = d.ioErr
	return false
}

// quote renders client text for an error message: Go-quoted with
// non-ASCII escaped (so 7-bit, no CR/LF) and cut short.
func quote(s string) string {
	const maxLen = 24
	if len(s) > maxLen {
		s = s[:maxLen] + "..."
	}
	return fmt.Sprintf("%+q", s)
}
