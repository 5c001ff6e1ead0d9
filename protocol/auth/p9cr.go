package auth

import (
	"crypto/des"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Plan 9 SecureNet challenge/response ("p9cr", imap4d -c; spec §2.3, §4).
// The algorithms are those of 4e sys/src/cmd/auth/lib/netcheck.c
// (netresp, netdecimal), libauthsrv/passtokey.c and libsec des56to64.

const (
	maxNetChal = 100000 // authsrv.h MAXNETCHAL: challenges are below this
	anameLen   = 28     // authsrv.h ANAMELEN: passtokey uses 27 bytes at most
)

// NewP9CRChallenge returns a fresh p9cr challenge: a decimal number below
// 100000, uniform, from crypto/rand (authsrv's lnrand(MAXNETCHAL)).
func NewP9CRChallenge() string {
	const limit = 1 << 32 / maxNetChal * maxNetChal // rejection bound
	for {
		var b [4]byte
		rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return strconv.FormatUint(uint64(v%maxNetChal), 10)
		}
	}
}

// CheckP9CR verifies a p9cr response: the first 4 bytes of DES-encrypting
// the challenge in ASCII decimal, NUL-padded to 8 bytes, with user's Plan 9
// key (Keys' key file), as 8 hex digits in either case; or its SecureNet
// "decimal" form, hex digits a–c written 2 and d–f written 3. As in
// netcheck, the response ends at the first newline. challenge must be
// one NewP9CRChallenge made (decimal, below 100000), else ErrMalformed.
func (k *Keys) CheckP9CR(user, challenge, response string) error {
	chal, err := strconv.ParseUint(challenge, 10, 32)
	if err != nil || chal >= maxNetChal {
		return fmt.Errorf("%w: p9cr challenge %q", ErrMalformed, challenge)
	}
	key, err := k.desKey(user)
	if err != nil {
		key = PasswordToKey(string(dummySecret))
	}
	hexAnswer := netResponse(key, chal)
	decAnswer := netDecimal(hexAnswer)
	response, _, _ = strings.Cut(response, "\n")
	resp := []byte(strings.ToLower(response))
	ok := subtle.ConstantTimeCompare(resp, []byte(hexAnswer)) |
		subtle.ConstantTimeCompare(resp, []byte(decAnswer))
	if err != nil {
		return err
	}
	if ok != 1 {
		return fmt.Errorf("%w: p9cr response for %q", ErrBadResponse, user)
	}
	return nil
}

// netResponse is netcheck.c's netresp: the expected hex response.
func netResponse(key [desKeyLen]byte, chal uint64) string {
	var buf [8]byte
	copy(buf[:], strconv.FormatUint(chal, 10))
	desEncrypt(key, buf[:])
	return fmt.Sprintf("%08x", binary.BigEndian.Uint32(buf[:4]))
}

// netDecimal is netcheck.c's netdecimal: the SecureNet box's decimal
// display of a hex response.
func netDecimal(answer string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'c':
			return '2'
		case r >= 'd' && r <= 'f':
			return '3'
		}
		return r
	}, answer)
}

// PasswordToKey is Plan 9's passtokey (4e libauthsrv/passtokey.c): it
// turns a password into the 7-byte DES key keyfs keeps in <user>/key.
// Only the bytes before a NUL and at most the first 27 count. The first
// 8 bytes (space-padded, NUL-terminated if shorter) are packed into 56
// bits; each later 8-byte chunk (the last one aligned to end at the
// password's end, overlapping the one before) is first DES-encrypted in
// place with the key so far and then packed into the next key.
func PasswordToKey(password string) [desKeyLen]byte {
	password, _, _ = strings.Cut(password, "\x00")
	n := min(len(password), anameLen-1)
	var buf [anameLen]byte
	copy(buf[:8], "        ")
	copy(buf[:], password[:n])
	buf[n] = 0
	var key [desKeyLen]byte
	t := 0 // start of the current 8-byte chunk in buf
	for {
		for i := range desKeyLen {
			key[i] = buf[t+i]>>i + buf[t+i+1]<<(8-(i+1))
		}
		if n <= 8 {
			return key
		}
		n -= 8
		t += 8
		if n < 8 {
			t -= 8 - n
			n = 8
		}
		desEncrypt(key, buf[t:t+8])
	}
}

// desEncrypt encrypts one 8-byte block in place with a 7-byte Plan 9 key
// (libc encrypt with n = 8: a single DES block).
func desEncrypt(key [desKeyLen]byte, block []byte) {
	k64 := des56to64(key)
	c, err := des.NewCipher(k64[:])
	if err != nil {
		// NewCipher fails only for a key length other than 8.
		panic("auth: " + err.Error())
	}
	c.Encrypt(block, block)
}

// des56to64 is libsec's des56to64: the 56 key bits, big-endian, become
// the high 7 bits of 8 bytes. The parity bit (low bit) is left 0; DES
// ignores it.
func des56to64(k [desKeyLen]byte) [8]byte {
	var v uint64
	for _, b := range k {
		v = v<<8 | uint64(b)
	}
	var k64 [8]byte
	for i := range k64 {
		k64[i] = byte(v>>(49-7*i)) << 1
	}
	return k64
}

// P9CRResponse computes what a user holding key answers to a p9cr
// challenge (the hex form), as Plan 9's netkey program does: for
// clients and tests.
func P9CRResponse(key [desKeyLen]byte, challenge string) (string, error) {
	chal, err := strconv.ParseUint(challenge, 10, 32)
	if err != nil || chal >= maxNetChal {
		return "", fmt.Errorf("%w: p9cr challenge %q", ErrMalformed, challenge)
	}
	return netResponse(key, chal), nil
}
