package ninep

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The shared-key authentication of 9P attaches (docs/upasfs.md,
// "Authentication"), spoken through the afid of a Tauth (attach(5)):
//
//	C→S  Tauth afid uname aname; Topen afid ORDWR
//	S→C  Tread afid:  "p9mail-hmac-sha256 <snonce>\n"
//	C→S  Twrite afid: "<cnonce> <client mac>\n"
//	S→C  Tread afid:  "ok <server mac>\n"
//	C→S  Tattach fid afid uname aname
//
// Nonces are 32 random bytes, macs HMAC-SHA256 under the shared key,
// each written as 64 lower-case hex digits. The client's mac covers
// the label "p9mail-auth client", both nonces, uname and aname; the
// server's the label "p9mail-auth server" and the same. The server
// makes a fresh snonce for every afid and takes one response per afid,
// so an old response fails on a new afid; the labels keep one side's
// mac from passing for the other's.
const (
	authProto   = "p9mail-hmac-sha256"
	nonceLen    = 32
	macHexLen   = 2 * sha256.Size
	clientLabel = "p9mail-auth client"
	serverLabel = "p9mail-auth server"

	// MinAuthKey is the shortest shared key ReadAuthKey accepts.
	MinAuthKey = 16
	maxAuthKey = 4096
)

// Errors of the authentication exchange, as the server sends them.
var (
	errAuthFailed   = Error("authentication failed")
	errAuthRequired = Error("authentication required")
	errAuthMessage  = Error("bad authentication message")
)

// authMAC is HMAC-SHA256 under key of label, the nonces, and uname and
// aname each preceded by its length (16 bits, big-endian, as 9P's own
// strings, intro(5), so no 9P name is cut), so that no two (uname,
// aname) pairs give the same input.
func authMAC(key []byte, label string, snonce, cnonce []byte, uname, aname string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write(snonce)
	m.Write(cnonce)
	for _, s := range []string{uname, aname} {
		var n [2]byte
		binary.BigEndian.PutUint16(n[:], uint16(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	return m.Sum(nil)
}

// newNonce returns nonceLen bytes from crypto/rand.
func newNonce() ([]byte, error) {
	b := make([]byte, nonceLen)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return nil, fmt.Errorf("ninep: auth nonce: %w", err)
	}
	return b, nil
}

// challengeMsg is the server's first message.
func challengeMsg(snonce []byte) string {
	return authProto + " " + hex.EncodeToString(snonce) + "\n"
}

// responseMsg is the client's answer.
func responseMsg(cnonce, mac []byte) string {
	return hex.EncodeToString(cnonce) + " " + hex.EncodeToString(mac) + "\n"
}

// proofMsg is the server's final message.
func proofMsg(mac []byte) string {
	return "ok " + hex.EncodeToString(mac) + "\n"
}

// parseChallenge returns the snonce of a challengeMsg.
func parseChallenge(msg string) ([]byte, error) {
	rest, ok := strings.CutPrefix(msg, authProto+" ")
	if !ok {
		return nil, fmt.Errorf("%w: not %s", errAuthMessage, authProto)
	}
	return parseHexLine(rest, 2*nonceLen)
}

// parseResponse returns the cnonce and mac of a responseMsg.
func parseResponse(msg string) (cnonce, mac []byte, err error) {
	n, m, ok := strings.Cut(msg, " ")
	if !ok {
		return nil, nil, errAuthMessage
	}
	if cnonce, err = parseHexLine(n+"\n", 2*nonceLen); err != nil {
		return nil, nil, err
	}
	if mac, err = parseHexLine(m, macHexLen); err != nil {
		return nil, nil, err
	}
	return cnonce, mac, nil
}

// parseProof returns the mac of a proofMsg.
func parseProof(msg string) ([]byte, error) {
	rest, ok := strings.CutPrefix(msg, "ok ")
	if !ok {
		return nil, errAuthMessage
	}
	return parseHexLine(rest, macHexLen)
}

// parseHexLine decodes exactly n lower-case hex digits and a newline.
func parseHexLine(s string, n int) ([]byte, error) {
	h, ok := strings.CutSuffix(s, "\n")
	if !ok || len(h) != n || strings.ToLower(h) != h {
		return nil, errAuthMessage
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, errAuthMessage
	}
	return b, nil
}

// ReadAuthKey reads the shared key of 9P authentication from a file
// (cmd/upasfs -authkey, and the front ends' with -fs): its bytes, one
// trailing newline dropped, at least MinAuthKey of them. Like the keys
// directory (protocol/auth), the file must be a regular file that
// neither group nor others may read or write.
func ReadAuthKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("auth key: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("auth key: %s has mode %v: group and others must have no access", path, perm)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxAuthKey+2))
	if err != nil {
		return nil, fmt.Errorf("auth key: %s: %w", path, err)
	}
	b = []byte(strings.TrimSuffix(string(b), "\n"))
	switch {
	case len(b) < MinAuthKey:
		return nil, fmt.Errorf("auth key: %s: shorter than %d bytes", path, MinAuthKey)
	case len(b) > maxAuthKey:
		return nil, fmt.Errorf("auth key: %s: longer than %d bytes", path, maxAuthKey)
	}
	return b, nil
}

// errNoProof is the client's error when the server's proof is wrong:
// whoever answers does not hold the key.
var errNoProof = errors.New("ninep: auth: the server did not prove it holds the key")
