// Package message computes what IMAP says about one message from the
// files a upasfs serves for it (spec §1.2–§1.5): ENVELOPE, BODY and
// BODYSTRUCTURE, RFC822.SIZE, INTERNALDATE, the bytes of every FETCH
// body section with partial ranges (RFC 3501 §6.4.5, §7.4.2), and the
// matching SEARCH needs (RFC 3501 §6.4.4).
//
// Load reads a message once through a Source and returns its
// Structure: everything its digest fixes, so the engine computes it
// once and caches it by digest. Bodies are never held: Section returns
// a section's exact size and a function that streams its bytes.
//
// What IMAP sees is the stored message with every bare LF turned into
// CRLF and every NUL into 0x80, nothing added or removed (decisions 5
// and 6). Sizes are computed by the same conversion code that streams,
// so a literal's count always equals the bytes sent.
//
// Part numbers are RFC 3501's (§6.4.5, decision 14): the extra level
// that upasfs puts under a message/rfc822 part (its one child "1", the
// encapsulated message) is hidden, so IMAP 4.2.1 of a message whose
// part 4.2 is message/rfc822 holding a multipart is upasfs 4/2/1/1.
package message
