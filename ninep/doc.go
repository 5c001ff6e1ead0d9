// Package ninep is the 9P plumbing that the mail front ends and the upasfs
// emulator share (DESIGN.md, "ninep" row).
//
// It provides:
//
//   - dial strings in both conventions (Dial, Listen, Namespace):
//     "tcp!host!port", "unix!/path", "host:port", "/path/to/socket", and a
//     bare service name in the plan9port name space directory;
//   - FS, a small file-tree interface with three implementations: a 9P
//     attach (Attach, Mount), a host directory (Local) and a name space of
//     those (NS);
//   - helpers that serve a srv9p.Server on a listener, one connection, or
//     standard input and output (Serve, ServeConn, ServeStdio), and Pipe,
//     a buffered in-memory connection for a client and server in one
//     process.
//
// The 9P codec (Fcall, Dir) is 9fans.net/go/plan9 and the server side is
// plan9/srv9p. The client side is this package's own (client.go): one
// goroutine reads the replies and hands each to the request waiting for
// it, and a fid number is freed only when its Tclunk is answered. It
// replaced plan9/client, whose requests pass the reading role between
// them through channels and which frees a fid number when the Tclunk is
// sent (DESIGN.md "Known hazards"; the fidGate that guarded it needed a
// goroutine of its own): with it, bench/imap.sh's cold session took 1.7x
// Dovecot's time, with this client 0.94x.
package ninep
