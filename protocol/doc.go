// Package protocol holds the mail protocol engines that run over a
// upasfs: protocol/pop3 (RFC 1939), protocol/imap (RFC 3501) and the
// authentication they share, protocol/auth. Each engine reaches mail
// only through packages upasfs and ninep, never the OS file system.
package protocol
