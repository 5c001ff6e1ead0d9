// Package wire reads IMAP4rev1 commands and writes IMAP4rev1 responses
// (RFC 3501 §9, the formal syntax). It knows the grammar, not the
// commands' meaning: the engine in package imap decides what a command
// does, in which state, and which reply it gets.
//
// # Reading commands
//
// A Decoder reads one command at a time from a *bufio.Reader. Its
// methods follow the grammar and share a sticky error: each returns
// true when it read what it expects, and once one fails every later
// call returns false, so a command parser reads like the ABNF:
//
//	dec.Next()          // start a command (discards what the last one left)
//	var tag, cmd, name string
//	if !dec.ExpectTag(&tag) || !dec.ExpectSP() || !dec.ExpectCommand(&cmd) { ... }
//	if !dec.ExpectSP() || !dec.ExpectMailbox(&name) || !dec.ExpectCRLF() {
//		return dec.Err() // *Error: reply "tag BAD <msg>"; else I/O: end the session
//	}
//
// Literals (RFC 3501 §4.3) are handled inside the string readers: the
// decoder calls Options.Continue before the data of a synchronizing
// literal. APPEND streams its message instead (ExpectAppend, then
// ExpectLiteralData, or Next to refuse it). Limits bound the memory and
// time one command may take.
//
// # Writing responses
//
// An Encoder writes to a *bufio.Writer and chains:
//
//	enc.Atom("*").SP().Number(n).SP().Atom("EXISTS").CRLF()
//
// String chooses quoted or literal form; Literal streams a known number
// of octets from an io.Reader, replacing NUL bytes with 0x80 (decision
// 6). The first error sticks and is returned by Err and Flush.
//
// Mailbox names cross the wire in modified UTF-7 (RFC 3501 §5.1.3):
// ExpectMailbox decodes to UTF-8 and Encoder.Mailbox encodes; the
// functions DecodeMUTF7 and EncodeMUTF7 are exported for other uses.
package wire
