package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// dummySecret stands in for a missing secret so that a check spends the
// same work whether or not the user exists (authsrv likewise makes up a
// key "so caller doesn't know it was wrong").
var dummySecret = []byte("no such user, but hash anyway")

// secretFor returns user's secret, or the dummy together with the error.
func (k *Keys) secretFor(user string) ([]byte, error) {
	s, err := k.Secret(user)
	if err != nil {
		return dummySecret, err
	}
	return s, nil
}

// CheckPassword verifies a clear-text password (USER/PASS, LOGIN, PLAIN)
// against user's secret (decision 18). Plan 9 turns the password into an
// APOP or CRAM response and checks that (spec §3.2, §2.3), which is the
// same as comparing it with the secret. Both sides are hashed before a
// constant-time compare, so neither content nor length leaks.
func (k *Keys) CheckPassword(user, password string) error {
	secret, err := k.secretFor(user)
	got := sha256.Sum256([]byte(password))
	want := sha256.Sum256(secret)
	ok := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: password for %q", ErrBadResponse, user)
	}
	return nil
}

// CheckAPOP verifies an APOP digest (RFC 1939 §7; spec §3.2, §4):
// response is hex(MD5(challenge ‖ secret)), 32 hex digits in either case.
func (k *Keys) CheckAPOP(user, challenge, response string) error {
	secret, err := k.secretFor(user)
	h := md5.New()
	h.Write([]byte(challenge))
	h.Write(secret)
	return verifyDigest(err, user, "APOP", h.Sum(nil), response)
}

// CheckCRAM verifies a CRAM-MD5 digest (RFC 2195 §2; spec §2.3):
// response is hex(HMAC-MD5(key = secret, text = challenge)), 32 hex
// digits in either case.
func (k *Keys) CheckCRAM(user, challenge, response string) error {
	secret, err := k.secretFor(user)
	h := hmac.New(md5.New, secret)
	h.Write([]byte(challenge))
	return verifyDigest(err, user, "CRAM-MD5", h.Sum(nil), response)
}

// verifyDigest compares want with the hex digest response in constant
// time, then reports lookupErr first, a malformed response next.
func verifyDigest(lookupErr error, user, mech string, want []byte, response string) error {
	got, hexErr := hex.DecodeString(response)
	ok := hmac.Equal(got, want)
	switch {
	case lookupErr != nil:
		return lookupErr
	case hexErr != nil || len(got) != md5.Size:
		return fmt.Errorf("%w: %s digest is not %d hex digits", ErrMalformed, mech, 2*md5.Size)
	case !ok:
		return fmt.Errorf("%w: %s digest for %q", ErrBadResponse, mech, user)
	}
	return nil
}

// NewChallenge returns an APOP or CRAM-MD5 challenge as Plan 9's auth
// server makes them (spec §3.2, §4): "<h1h2.h3h4@domain>", four random
// 32-bit values from crypto/rand in unpadded lower-case hex. Bytes of
// domain that could break the message-id syntax (controls, space, '<',
// '>', non-ASCII) are dropped; an empty domain becomes "localhost".
func NewChallenge(domain string) string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	w := func(i int) uint32 { return binary.BigEndian.Uint32(b[4*i:]) }
	return fmt.Sprintf("<%x%x.%x%x@%s>", w(0), w(1), w(2), w(3), cleanDomain(domain))
}

func cleanDomain(domain string) string {
	d := strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return -1
		}
		return r
	}, domain)
	if d == "" {
		return "localhost"
	}
	return d
}
