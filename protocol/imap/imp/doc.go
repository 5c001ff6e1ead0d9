// Package imp reads, merges and writes Plan 9 imap4d's .imp shadow
// files byte for byte (spec §2.5): the file beside every mailbox that
// keeps what upasfs does not, namely UIDVALIDITY, UIDNEXT, and for each
// message its digest, UID and flags.
//
// The package is pure: bytes in, bytes out, plus the matching of a file
// against the messages a session knows. Locking L.mbox (spec §2.11),
// reading and writing the file through the 9P name space, and deciding
// when to re-read it (its qid changed) are the caller's.
//
// The usual read side is one call, Reconcile; its pieces (Parse, Merge,
// Assign) are exported for callers that need them apart. The write side
// is Snapshot + Marshal for a rewrite, Header and NewLine for APPEND and
// COPY, which only append (spec §2.9).
package imp
