package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// The fuzz targets feed network input to every parser here: none may
// panic, and none may accept anything but the one right answer.

// FuzzCRAMResponse: a decoded CRAM-MD5 response "<user> <hex digest>".
func FuzzCRAMResponse(f *testing.F) {
	k := testKeys(f)
	f.Add([]byte("tim " + rfc2195Digest))
	f.Add([]byte("tim"))
	f.Add([]byte(" "))
	f.Fuzz(func(t *testing.T, resp []byte) {
		calls := 0
		s := NewCRAMMD5Server(k, rfc2195Chal, func(string) { calls++ })
		if _, _, err := s.Next(nil); err != nil {
			t.Fatal(err)
		}
		_, done, err := s.Next(resp)
		if !done {
			t.Fatalf("Next(%q) not done", resp)
		}
		right := bytes.EqualFold(resp, []byte("tim "+rfc2195Digest)) && bytes.HasPrefix(resp, []byte("tim "))
		if (err == nil) != right || calls != btoi(err == nil) {
			t.Fatalf("Next(%q) = %v, done called %d times", resp, err, calls)
		}
	})
}

// FuzzPlainResponse: a decoded PLAIN message "authzid NUL authcid NUL passwd".
func FuzzPlainResponse(f *testing.F) {
	k := testKeys(f)
	f.Add([]byte("\x00dbc\x00tanstaaf"))
	f.Add([]byte("dbc\x00dbc\x00tanstaaf"))
	f.Add([]byte("\x00\x00"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		calls := 0
		s := NewPlainServer(k, func(string) { calls++ })
		_, _, err := s.Next(resp)
		right := bytes.Equal(resp, []byte("\x00dbc\x00tanstaaf")) || bytes.Equal(resp, []byte("dbc\x00dbc\x00tanstaaf"))
		if (err == nil) != right || calls != btoi(err == nil) {
			t.Fatalf("Next(%q) = %v, done called %d times", resp, err, calls)
		}
	})
}

// FuzzLoginResponse: the two decoded LOGIN answers.
func FuzzLoginResponse(f *testing.F) {
	k := testKeys(f)
	f.Add([]byte("dbc"), []byte("tanstaaf"))
	f.Add([]byte(""), []byte(""))
	f.Fuzz(func(t *testing.T, user, pass []byte) {
		s := NewLoginServer(k, nil)
		if _, _, err := s.Next(nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Next(user); err != nil {
			t.Fatal(err)
		}
		_, done, err := s.Next(pass)
		right := string(user) == "dbc" && string(pass) == "tanstaaf"
		if !done || (err == nil) != right {
			t.Fatalf("LOGIN %q %q = %v", user, pass, err)
		}
	})
}

// FuzzDecodeResponse: a client's continuation line.
func FuzzDecodeResponse(f *testing.F) {
	f.Add("dGlt")
	f.Add("*")
	f.Add("=")
	f.Fuzz(func(t *testing.T, line string) {
		b, err := DecodeResponse(line)
		if errors.Is(err, ErrCancelled) != (strings.TrimRight(line, "\r\n") == "*") {
			t.Fatalf("DecodeResponse(%q): %v", line, err)
		}
		if err == nil && len(b) > len(line)*3/4 {
			t.Fatalf("DecodeResponse(%q) = %d bytes", line, len(b))
		}
		if err != nil && !errors.Is(err, ErrCancelled) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("DecodeResponse(%q): %v", line, err)
		}
	})
}

// FuzzP9CRResponse: a p9cr challenge (as echoed) and the client's answer.
// For challenge 12345 the only answers are 7d682065 and its decimal form.
func FuzzP9CRResponse(f *testing.F) {
	k := testKeys(f)
	f.Add("12345", "7d682065")
	f.Add("12345", "73682065")
	f.Add("0", "")
	f.Fuzz(func(t *testing.T, chal, resp string) {
		err := k.CheckP9CR("glenda", chal, resp)
		if chal == "12345" {
			answer, _, _ := strings.Cut(resp, "\n")
			right := strings.EqualFold(answer, "7d682065") || answer == "73682065"
			if (err == nil) != right {
				t.Fatalf("CheckP9CR(%q, %q) = %v", chal, resp, err)
			}
		}
		if err != nil && !errors.Is(err, ErrBadResponse) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("CheckP9CR(%q, %q) = %v", chal, resp, err)
		}
	})
}

// FuzzAPOPResponse: the digest of an APOP command.
func FuzzAPOPResponse(f *testing.F) {
	k := testKeys(f)
	f.Add(rfc1939Digest)
	f.Add("zz")
	f.Fuzz(func(t *testing.T, resp string) {
		err := k.CheckAPOP("dbc", rfc1939Chal, resp)
		if (err == nil) != strings.EqualFold(resp, rfc1939Digest) {
			t.Fatalf("CheckAPOP(%q) = %v", resp, err)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
