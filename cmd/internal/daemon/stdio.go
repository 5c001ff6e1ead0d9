package daemon

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"time"
)

// StdioConn returns standard input and output as one net.Conn, for a
// server started per connection by listen(8), inetd or systemd
// (Accept=yes). When standard input is a socket the conn is that socket,
// with its real addresses and deadlines.
func StdioConn() net.Conn {
	if c, err := net.FileConn(os.Stdin); err == nil {
		return c
	}
	return &stdioConn{}
}

// stdioConn is standard input and output joined (pipes, a terminal).
type stdioConn struct{}

func (stdioConn) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdioConn) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdioConn) Close() error {
	return errors.Join(os.Stdin.Close(), os.Stdout.Close())
}
func (stdioConn) LocalAddr() net.Addr                { return stdioAddr{} }
func (stdioConn) RemoteAddr() net.Addr               { return stdioAddr{} }
func (stdioConn) SetDeadline(t time.Time) error      { return os.Stdin.SetReadDeadline(t) }
func (stdioConn) SetReadDeadline(t time.Time) error  { return os.Stdin.SetReadDeadline(t) }
func (stdioConn) SetWriteDeadline(t time.Time) error { return nil }

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "stdio" }

// LoadTLS reads a PEM certificate chain from certFile and its key from
// keyFile, or from certFile too when keyFile is empty (the -t and -k
// flags). An empty certFile means no TLS.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		if keyFile != "" {
			return nil, errors.New("a key (-k) needs a certificate (-t)")
		}
		return nil, nil
	}
	if keyFile == "" {
		keyFile = certFile
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	// No session tickets: TLS 1.3 sends them right after the handshake,
	// and some clients (offlineimap3 after STARTTLS) then stall; mail
	// sessions are long and rarely resumed.
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		SessionTicketsDisabled: true}, nil
}
