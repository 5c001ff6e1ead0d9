package auth

import (
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
)

// Vectors computed by 4e's own C (libauthsrv/passtokey.c, libc/port/crypt.c,
// libsec/port/des.c and netresp from auth/lib/netcheck.c) built on Linux.
var passToKeyTests = []struct{ password, key string }{
	{"", "00100804028140"},
	{"a", "61000804028140"},
	{"password", "f0f07c7e7fcbc9"},
	{"tanstaaf", "f4b07b4e0f87cd"},
	{"hello world", "190f05e338cf30"},
	{"abcdefgh", "61f1985c369fd1"},
	{"abcdefghi", "3427ad3caec58e"},
	{"0123456789abcdefghijklmnopqrstuvwxyz", "ecf945f5352022"}, // 27 bytes count
	{"0123456789abcdefghijklmnopq", "ecf945f5352022"},
	{"password\x00ignored", "f0f07c7e7fcbc9"},
}

func TestPasswordToKey(t *testing.T) {
	for _, tt := range passToKeyTests {
		key := PasswordToKey(tt.password)
		if got := hex.EncodeToString(key[:]); got != tt.key {
			t.Errorf("PasswordToKey(%q) = %s; want %s", tt.password, got, tt.key)
		}
	}
}

func TestNetResponse(t *testing.T) {
	tests := []struct {
		password string
		chal     uint64
		want     string
	}{
		{"password", 0, "93e4bdb6"},
		{"password", 7, "b52894aa"},
		{"password", 12345, "7d682065"},
		{"password", 99999, "d72b2c53"},
		{"", 31337, "b841fa94"},
		{"hello world", 12345, "5ad9d0fb"},
		{"abcdefghi", 99999, "022e6303"},
	}
	for _, tt := range tests {
		if got := netResponse(PasswordToKey(tt.password), tt.chal); got != tt.want {
			t.Errorf("netResponse(key(%q), %d) = %s; want %s", tt.password, tt.chal, got, tt.want)
		}
	}
}

func TestDES56to64(t *testing.T) {
	tests := []struct{ k56, k64 string }{
		{"ffffffffffffff", "fefefefefefefefe"},
		{"80000000000000", "8000000000000000"},
		{"00000000000001", "0000000000000002"},
		{"02000000000000", "0200000000000000"},
		{"01000000000000", "0080000000000000"},
	}
	for _, tt := range tests {
		var k [desKeyLen]byte
		hex.Decode(k[:], []byte(tt.k56))
		got := des56to64(k)
		if h := hex.EncodeToString(got[:]); h != tt.k64 {
			t.Errorf("des56to64(%s) = %s; want %s", tt.k56, h, tt.k64)
		}
	}
}

func TestCheckP9CR(t *testing.T) {
	k := testKeys(t) // glenda's key is PasswordToKey("password")
	tests := []struct {
		user, chal, resp string
		err              error
	}{
		{"glenda", "12345", "7d682065", nil},
		{"glenda", "12345", "7D682065", nil},
		{"glenda", "12345", "73682065", nil},   // decimal: d → 3
		{"glenda", "12345", "7d682065\n", nil}, // netcheck cuts at newline
		{"glenda", "0", "93e4bdb6", nil},
		{"glenda", "0", "93342326", nil}, // decimal: e, d → 3; b → 2
		{"glenda", "007", "b52894aa", nil},
		{"glenda", "99999", "d72b2c53", nil},
		{"glenda", "12345", "7d682066", ErrBadResponse},
		{"glenda", "12345", "7d68206", ErrBadResponse},
		{"glenda", "12345", "7d6820650", ErrBadResponse},
		{"glenda", "12344", "7d682065", ErrBadResponse},
		{"glenda", "12345", "", ErrBadResponse},
		{"glenda", "100000", "7d682065", ErrMalformed},
		{"glenda", "-1", "7d682065", ErrMalformed},
		{"glenda", "", "7d682065", ErrMalformed},
		{"glenda", "12345x", "7d682065", ErrMalformed},
		{"nokey", "12345", "7d682065", ErrUnknownUser},
		{"nobody", "12345", "7d682065", ErrUnknownUser},
		{"off", "12345", "7d682065", ErrDisabled},
		{"..", "12345", "7d682065", ErrBadName},
	}
	for _, tt := range tests {
		if err := k.CheckP9CR(tt.user, tt.chal, tt.resp); !errors.Is(err, tt.err) {
			t.Errorf("CheckP9CR(%q, %q, %q) = %v; want %v", tt.user, tt.chal, tt.resp, err, tt.err)
		}
	}
}

func TestNewP9CRChallenge(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewP9CRChallenge()
		n, err := strconv.ParseUint(c, 10, 32)
		if err != nil || n >= maxNetChal || strconv.FormatUint(n, 10) != c {
			t.Fatalf("NewP9CRChallenge() = %q; want a canonical decimal below %d", c, maxNetChal)
		}
		seen[c] = true
	}
	if len(seen) < 950 { // 1000 draws from 100000 values repeat a few times
		t.Errorf("only %d distinct challenges in 1000", len(seen))
	}
}
