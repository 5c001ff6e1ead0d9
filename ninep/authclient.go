//go:build !plan9

package ninep

import (
	"crypto/hmac"
	"fmt"
	"io"

	"9fans.net/go/plan9"
)

// AttachKey is Attach authenticated with the shared key (authproto.go,
// docs/upasfs.md "Authentication"): Tauth, the exchange through the
// afid, then Tattach with it. It also checks the server's proof, so a
// process that took the server's address without the key is refused. A
// nil key is Attach. A server that needs no authentication (a
// plan9port upas/fs) fails the Tauth: pass no key for it.
func AttachKey(rwc io.ReadWriteCloser, user, aname string, key []byte) (FS, error) {
	if key == nil {
		return Attach(rwc, user, aname)
	}
	c, err := dialConn(rwc)
	if err != nil {
		return nil, fmt.Errorf("ninep: version: %w", err)
	}
	afid, err := c.authenticate(user, aname, key)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("ninep: auth %q as %q: %w", aname, user, err)
	}
	root, _, err := c.attach(user, aname, afid)
	if cerr := c.clunk(afid); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("ninep: attach %q as %q: %w", aname, user, err)
	}
	return &remoteFS{c: c, root: root}, nil
}

// MountKey dials addr (see Dial) and attaches to it (see AttachKey).
func MountKey(addr, user, aname string, key []byte) (FS, error) {
	c, err := Dial(addr)
	if err != nil {
		return nil, err
	}
	return AttachKey(c, user, aname, key)
}

// authenticate runs the exchange on a new afid and returns it, ready
// for Tattach; on failure no afid is left.
func (c *conn) authenticate(user, aname string, key []byte) (uint32, error) {
	afid := c.newFid()
	if _, err := c.rpc(&plan9.Fcall{Type: plan9.Tauth, Afid: afid, Uname: user, Aname: aname}, plan9.NOFID); err != nil {
		c.putFid(afid)
		return 0, err
	}
	if err := c.exchangeKey(afid, user, aname, key); err != nil {
		_ = c.clunk(afid) // failing with err; the number is freed on the reply
		return 0, err
	}
	return afid, nil
}

// exchangeKey is the client's side of the exchange on afid.
func (c *conn) exchangeKey(afid uint32, user, aname string, key []byte) error {
	if _, err := c.rpc(&plan9.Fcall{Type: plan9.Topen, Fid: afid, Mode: plan9.ORDWR}, plan9.NOFID); err != nil {
		return err
	}
	msg, err := c.readAuth(afid)
	if err != nil {
		return err
	}
	snonce, err := parseChallenge(msg)
	if err != nil {
		return err
	}
	cnonce, err := newNonce()
	if err != nil {
		return err
	}
	resp := responseMsg(cnonce, authMAC(key, clientLabel, snonce, cnonce, user, aname))
	if _, err := c.write(afid, []byte(resp), 0); err != nil {
		return err
	}
	if msg, err = c.readAuth(afid); err != nil {
		return err
	}
	proof, err := parseProof(msg)
	if err != nil {
		return err
	}
	if !hmac.Equal(proof, authMAC(key, serverLabel, snonce, cnonce, user, aname)) {
		return errNoProof
	}
	return nil
}

// readAuth reads one message of the exchange (all are short).
func (c *conn) readAuth(afid uint32) (string, error) {
	buf := make([]byte, 256)
	n, err := c.read(afid, buf, 0)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
