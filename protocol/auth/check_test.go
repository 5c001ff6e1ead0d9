package auth

import (
	"errors"
	"regexp"
	"testing"
)

// RFC 1939 §7 and RFC 2195 §2 examples.
const (
	rfc1939Chal   = "<1896.697170952@dbc.mtview.ca.us>"
	rfc1939Digest = "c4c9334bac560ecc979e58001b3e22fb" // user dbc, secret tanstaaf
	rfc2195Chal   = "<1896.697170952@postoffice.reston.mci.net>"
	rfc2195Digest = "b913a602c7eda7a495b4e6e7334d3890" // user tim, secret tanstaaftanstaaf
)

func TestCheckPassword(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		user, pass string
		err        error
	}{
		{"dbc", "tanstaaf", nil},
		{"tim", "tanstaaftanstaaf", nil},
		{"dbc", "tanstaa", ErrBadResponse},
		{"dbc", "tanstaaff", ErrBadResponse},
		{"dbc", "TANSTAAF", ErrBadResponse},
		{"dbc", "", ErrBadResponse},
		{"tim", "tanstaaftanstaaf\n", ErrBadResponse},
		{"nobody", "tanstaaf", ErrUnknownUser},
		{"nobody", string(dummySecret), ErrUnknownUser},
		{"empty", "", ErrDisabled},
		{"off", "secret", ErrDisabled},
		{"gone", "secret", ErrDisabled},
		{"../dbc", "tanstaaf", ErrBadName},
	}
	for _, tt := range tests {
		if err := k.CheckPassword(tt.user, tt.pass); !errors.Is(err, tt.err) {
			t.Errorf("CheckPassword(%q, %q) = %v; want %v", tt.user, tt.pass, err, tt.err)
		}
	}
}

func TestCheckAPOP(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		user, chal, resp string
		err              error
	}{
		{"dbc", rfc1939Chal, rfc1939Digest, nil},
		{"dbc", rfc1939Chal, "C4C9334BAC560ECC979E58001B3E22FB", nil},
		{"dbc", rfc1939Chal, "c4c9334bac560ecc979e58001b3e22fc", ErrBadResponse},
		{"dbc", "<1897.697170952@dbc.mtview.ca.us>", rfc1939Digest, ErrBadResponse},
		{"tim", rfc1939Chal, rfc1939Digest, ErrBadResponse},
		{"dbc", rfc1939Chal, "c4c9334bac560ecc979e58001b3e22f", ErrMalformed},
		{"dbc", rfc1939Chal, "c4c9334bac560ecc979e58001b3e22fb00", ErrMalformed},
		{"dbc", rfc1939Chal, "x4c9334bac560ecc979e58001b3e22fb", ErrMalformed},
		{"dbc", rfc1939Chal, "", ErrMalformed},
		{"nobody", rfc1939Chal, rfc1939Digest, ErrUnknownUser},
		{"off", rfc1939Chal, rfc1939Digest, ErrDisabled},
		{"", rfc1939Chal, rfc1939Digest, ErrBadName},
	}
	for _, tt := range tests {
		if err := k.CheckAPOP(tt.user, tt.chal, tt.resp); !errors.Is(err, tt.err) {
			t.Errorf("CheckAPOP(%q, %q, %q) = %v; want %v", tt.user, tt.chal, tt.resp, err, tt.err)
		}
	}
}

func TestCheckCRAM(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		user, chal, resp string
		err              error
	}{
		{"tim", rfc2195Chal, rfc2195Digest, nil},
		{"tim", rfc2195Chal, "B913A602C7EDA7A495B4E6E7334D3890", nil},
		{"tim", rfc2195Chal, "b913a602c7eda7a495b4e6e7334d3891", ErrBadResponse},
		{"tim", rfc1939Chal, rfc2195Digest, ErrBadResponse},
		{"dbc", rfc2195Chal, rfc2195Digest, ErrBadResponse},
		{"tim", rfc2195Chal, rfc2195Digest[:30], ErrMalformed},
		{"tim", rfc2195Chal, " " + rfc2195Digest, ErrMalformed},
		{"nobody", rfc2195Chal, rfc2195Digest, ErrUnknownUser},
		{"old", rfc2195Chal, rfc2195Digest, ErrDisabled},
		{"a/b", rfc2195Chal, rfc2195Digest, ErrBadName},
	}
	for _, tt := range tests {
		if err := k.CheckCRAM(tt.user, tt.chal, tt.resp); !errors.Is(err, tt.err) {
			t.Errorf("CheckCRAM(%q, %q, %q) = %v; want %v", tt.user, tt.chal, tt.resp, err, tt.err)
		}
	}
}

func TestNewChallenge(t *testing.T) {
	tests := []struct{ domain, want string }{
		{"plan9.bell-labs.com", "plan9.bell-labs.com"},
		{"", "localhost"},
		{"a b<c>\r\nd\x00é", "abcd"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		re := regexp.MustCompile(`^<([0-9a-f]{1,8}){2}\.([0-9a-f]{1,8}){2}@` + regexp.QuoteMeta(tt.want) + `>$`)
		for range 50 {
			c := NewChallenge(tt.domain)
			if !re.MatchString(c) {
				t.Fatalf("NewChallenge(%q) = %q; want match %s", tt.domain, c, re)
			}
			if seen[c] {
				t.Fatalf("NewChallenge repeated %q", c)
			}
			seen[c] = true
		}
	}
}

// BenchmarkCheckCRAM measures one check, key files read included.
func BenchmarkCheckCRAM(b *testing.B) {
	k := testKeys(b)
	for b.Loop() {
		if err := k.CheckCRAM("tim", rfc2195Chal, rfc2195Digest); err != nil {
			b.Fatal(err)
		}
	}
}
