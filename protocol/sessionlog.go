package protocol

import (
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// CountConn counts the bytes read from and written to a connection, on
// the wire (TLS records included when TLS runs over it).
type CountConn struct {
	net.Conn
	In, Out atomic.Int64
}

func (c *CountConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.In.Add(int64(n))
	return n, err
}

func (c *CountConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.Out.Add(int64(n))
	return n, err
}

// How a session ended, the "end" field of its last record
// (docs/operations.md, "Logs").
const (
	EndLogout  = "logout"  // the client's LOGOUT or QUIT
	EndTimeout = "timeout" // idle or login timeout
	EndHangup  = "hangup"  // the client closed or broke the connection
	EndError   = "error"   // the server ended it: a limit, a lost mail store, a bug
)

// SessionLog is what a session's start and end records say. The
// session fills User, Commands and End as it goes; Start and Finish
// write the records. Nothing secret goes in: no password, no
// AUTHENTICATE data, no mail.
type SessionLog struct {
	Log      *slog.Logger
	Proto    string // "imap", "pop3"
	ID       uint64 // the session id of the -d trace lines
	Peer     netip.Addr
	Count    *CountConn // nil: no byte counts
	User     string
	Commands int
	End      string // one of the End constants; "" is EndError

	start time.Time
}

// Start writes the session's first record; c is the connection as the
// session begins (a *tls.Conn under implicit TLS).
func (l *SessionLog) Start(c net.Conn) {
	l.start = time.Now()
	l.Log.Info(l.Proto+" session start", "session", l.ID, "peer", peerString(l.Peer), "tls", TLSVersion(c))
}

// Finish writes the session's last record; c is the connection as it
// ends (after STARTTLS, the TLS one).
func (l *SessionLog) Finish(c net.Conn) {
	end := l.End
	if end == "" {
		end = EndError
	}
	args := []any{"session", l.ID, "peer", peerString(l.Peer), "user", l.User, "tls", TLSVersion(c),
		"commands", l.Commands}
	if l.Count != nil {
		args = append(args, "bytes_in", l.Count.In.Load(), "bytes_out", l.Count.Out.Load())
	}
	args = append(args, "duration", time.Since(l.start).Round(time.Millisecond), "end", end)
	l.Log.Info(l.Proto+" session end", args...)
}

// TLSVersion names the TLS version of c ("TLS 1.3"), "" without TLS.
func TLSVersion(c net.Conn) string {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return ""
	}
	return tls.VersionName(tc.ConnectionState().Version)
}

func peerString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
