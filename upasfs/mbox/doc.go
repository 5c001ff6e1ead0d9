// Package mbox is the mbox file layer of the upasfs emulator: it finds
// the messages of a Plan 9 (4th edition) mbox file and their digests,
// takes the locks a writer of the file must hold, rewrites the file
// crash-safely and appends to it (spec §1.3, §1.4, §1.8;
// p9p-upasfs.md §3.1, §5).
//
// An mbox is a sequence of messages, each starting at a line that
// begins "From " (at the start of the file or after a '\n') and
// running up to the next such line. Writers end every message with one
// empty line; that separator, exactly one '\n', is not part of the
// message. The package never reads whole messages into memory.
package mbox
