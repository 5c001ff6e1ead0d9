// Package wire reads IMAP4rev1 commands and writes IMAP4rev1 responses
// (RFC 3501 §9, the formal syntax). It knows the grammar, not the
// commands' meaning: the engine in package imap decides what a command
// does, in which state, and which reply it gets.
//
// # Reading commands
//
// A Decoder reads one command at a time from a *bufio.Reader. Its
// Expect methods follow the grammar and share a sticky error: each
// returns true when it read what it expects, and once one fails every
// later call returns false, so a command parser reads like the ABNF.
// The argument readers (ExpectFetchAtts, ExpectSearch, ExpectAppend...)
// start after the SP that precedes their argument.
//
//	for {
//		if err := dec.Next(); err != nil { // discards what the last command left
//			return err // I/O: the session is over
//		}
//		var tag, cmd, name string
//		if !dec.ExpectTag(&tag) || !dec.ExpectSP() || !dec.ExpectCommand(&cmd) { ... }
//		// SELECT
//		if !dec.ExpectSP() || !dec.ExpectMailbox(&name) || !dec.ExpectCRLF() {
//			// *Error: reply "tag BAD <msg>" (NO [TOOBIG] when IsTooBig)
//			// and loop; anything else (io.EOF...) ends the session.
//			err := dec.Err()
//		}
//	}
//
// Literals (RFC 3501 §4.3) are handled inside the string readers: the
// decoder calls Options.Continue before the data of each synchronizing
// literal, and never for one it refuses. APPEND streams its message
// instead: ExpectAppend stops after the literal's "{n}", so the engine
// can check the mailbox first, then take the data with
// ExpectLiteralData (which sends the continuation) and end with
// ExpectCRLF, or refuse it with a tagged NO followed by Next, which
// skips any data the client sends anyway ("{n+}"). Limits bound the
// octets and literals one command may bring.
//
// Lines end in CRLF; a bare LF is accepted too, as Plan 9 clients send
// it (spec §2.11).
//
// # Writing responses
//
// An Encoder writes to a *bufio.Writer and chains:
//
//	enc.Atom("*").SP().Number(n).SP().Atom("EXISTS").CRLF()
//	enc.Atom(tag).SP().Atom("OK").SP().Code("READ-WRITE").SP().Text("SELECT completed").CRLF()
//
// String chooses quoted or literal form; Literal streams a known number
// of octets from an io.Reader, replacing NUL bytes with 0x80 (decision
// 6). The first error sticks and is returned by Err and Flush.
//
// Mailbox names cross the wire in modified UTF-7 (RFC 3501 §5.1.3):
// ExpectMailbox decodes to UTF-8 and Encoder.Mailbox encodes; the
// functions DecodeMUTF7 and EncodeMUTF7 are exported for other uses.
package wire
