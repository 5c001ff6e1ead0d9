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
// The 9P codec and client are 9fans.net/go/plan9 and plan9/client; this
// package adds a guard against their fid-reuse race (see fidGate) so that
// one attach may be used by many goroutines at once.
package ninep
