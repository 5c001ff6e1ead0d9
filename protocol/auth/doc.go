// Package auth authenticates POP3 and IMAP users the way Plan 9's
// upas/pop3 and imap4d do through factotum and the auth server (spec §4),
// without either: the users' secrets live in a private directory laid out
// like keyfs(4) (see Keys).
//
// What it offers:
//   - checks for every response form the originals accept: clear-text
//     password, APOP (RFC 1939 §7), CRAM-MD5 (RFC 2195) and Plan 9's
//     SecureNet challenge/response p9cr (imap4d -c, spec §2.3);
//   - SASL server mechanisms PLAIN, LOGIN and CRAM-MD5 in go-sasl's
//     sasl.Server shape, and Converse to run one over a line protocol;
//   - per-session failure delays (spec §3.2) and SMTP relay ratification
//     (spec §2.12, §3.1).
//
// Every check returns one of the Err* values below (wrapped with detail)
// so the caller can log why a login failed; clients must always get the
// same generic failure whatever the reason.
package auth

import "errors"

// Reasons a check fails. They are distinct for logs; never show them to
// clients.
var (
	ErrBadName       = errors.New("auth: bad user name")
	ErrUnknownUser   = errors.New("auth: unknown user")
	ErrDisabled      = errors.New("auth: user disabled")
	ErrBadResponse   = errors.New("auth: wrong password or response")
	ErrMalformed     = errors.New("auth: malformed response")
	ErrNotAuthorized = errors.New("auth: authorization identity differs from user")
	ErrCancelled     = errors.New("auth: client cancelled authentication")
	ErrInsecure      = errors.New("auth: secrets readable or writable by group or other")
)
