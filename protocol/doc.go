// Package protocol holds the mail protocol engines that run over a
// upasfs: protocol/pop3 (RFC 1939), protocol/imap (RFC 3501) and the
// authentication they share, protocol/auth. Each engine reaches mail
// only through packages upasfs and ninep, never the OS file system.
//
// This package itself has what both engines do with connections:
// accepting them within the connection limits (Accept, PerAddr), TLS
// handshakes, watching for a client that hangs up during a long wait
// (WatchHangup), and scrubbing error texts of paths (Scrub). Flags and
// process start-up are the commands' business (cmd/internal/daemon).
package protocol
