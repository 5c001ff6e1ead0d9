package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

type mechanism func(k *Keys, done func(string)) sasl.Server

var (
	plain = mechanism(NewPlainServer)
	login = mechanism(NewLoginServer)
	cram  = mechanism(func(k *Keys, done func(string)) sasl.Server {
		return NewCRAMMD5Server(k, rfc2195Chal, done)
	})
)

// saslTests are transcripts: "S: x" is a challenge the server must send
// (base64, as on the wire after "+ "), "C: x" a line the client answers.
var saslTests = []struct {
	name    string
	mech    mechanism
	initial string // as on the command line; "" for none
	script  []string
	user    string // wanted done(user); "" if it must not be called
	err     error
}{
	{"plain ir", plain, b64("\x00tim\x00tanstaaftanstaaf"), nil, "tim", nil},
	{"plain no ir", plain, "", []string{"S: ", "C: " + b64("\x00tim\x00tanstaaftanstaaf")}, "tim", nil},
	{"plain authzid same", plain, b64("tim\x00tim\x00tanstaaftanstaaf"), nil, "tim", nil},
	{"plain authzid other", plain, b64("dbc\x00tim\x00tanstaaftanstaaf"), nil, "", ErrNotAuthorized},
	{"plain wrong", plain, b64("\x00tim\x00tanstaaf"), nil, "", ErrBadResponse},
	{"plain unknown", plain, b64("\x00nobody\x00tanstaaf"), nil, "", ErrUnknownUser},
	{"plain bad name", plain, b64("\x00../tim\x00tanstaaftanstaaf"), nil, "", ErrBadName},
	{"plain disabled", plain, b64("\x00off\x00secret"), nil, "", ErrDisabled},
	{"plain two fields", plain, b64("tim\x00tanstaaftanstaaf"), nil, "", ErrMalformed},
	{"plain four fields", plain, b64("\x00tim\x00tanstaaftanstaaf\x00"), nil, "", ErrMalformed},
	{"plain empty ir", plain, "=", nil, "", ErrMalformed},
	{"plain cancel", plain, "", []string{"S: ", "C: *"}, "", ErrCancelled},
	{"plain bad base64", plain, "", []string{"S: ", "C: AGRiYwB0YW5zdGFhZg=!"}, "", ErrMalformed},
	{"plain bad base64 ir", plain, "%%%", nil, "", ErrMalformed},

	{"login", login, "", []string{
		"S: VXNlcm5hbWU6", "C: " + b64("tim"),
		"S: UGFzc3dvcmQ6", "C: " + b64("tanstaaftanstaaf"),
	}, "tim", nil},
	{"login ir", login, b64("dbc"), []string{"S: UGFzc3dvcmQ6", "C: " + b64("tanstaaf")}, "dbc", nil},
	{"login empty ir", login, "=", []string{
		"S: VXNlcm5hbWU6", "C: " + b64("dbc"),
		"S: UGFzc3dvcmQ6", "C: " + b64("tanstaaf"),
	}, "dbc", nil},
	{"login wrong", login, "", []string{
		"S: VXNlcm5hbWU6", "C: " + b64("dbc"),
		"S: UGFzc3dvcmQ6", "C: " + b64("tanstaaff"),
	}, "", ErrBadResponse},
	{"login unknown asks password", login, "", []string{
		"S: VXNlcm5hbWU6", "C: " + b64("nobody"),
		"S: UGFzc3dvcmQ6", "C: " + b64("tanstaaf"),
	}, "", ErrUnknownUser},
	{"login cancel user", login, "", []string{"S: VXNlcm5hbWU6", "C: *"}, "", ErrCancelled},
	{"login cancel password", login, "", []string{
		"S: VXNlcm5hbWU6", "C: " + b64("dbc"),
		"S: UGFzc3dvcmQ6", "C: *",
	}, "", ErrCancelled},
	{"login bad base64", login, "", []string{"S: VXNlcm5hbWU6", "C: ZGJj="}, "", ErrMalformed},

	// RFC 2195 §2's example, byte for byte.
	{"cram rfc2195", cram, "", []string{
		"S: PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
		"C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
	}, "tim", nil},
	{"cram upper hex", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("tim "+strings.ToUpper(rfc2195Digest)),
	}, "tim", nil},
	{"cram empty ir", cram, "=", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("tim "+rfc2195Digest),
	}, "tim", nil},
	{"cram wrong", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("tim b913a602c7eda7a495b4e6e7334d3891"),
	}, "", ErrBadResponse},
	{"cram other user", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("dbc "+rfc2195Digest),
	}, "", ErrBadResponse},
	{"cram space in name", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("sp ace "+rfc2195Digest),
	}, "", ErrBadResponse},
	{"cram no space", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("tim"+rfc2195Digest),
	}, "", ErrMalformed},
	{"cram empty line", cram, "", []string{"S: " + b64(rfc2195Chal), "C: "}, "", ErrMalformed},
	{"cram short digest", cram, "", []string{
		"S: " + b64(rfc2195Chal), "C: " + b64("tim b913"),
	}, "", ErrMalformed},
	{"cram cancel", cram, "", []string{"S: " + b64(rfc2195Chal), "C: *"}, "", ErrCancelled},
	{"cram ir", cram, b64("tim " + rfc2195Digest), nil, "", ErrMalformed},
}

func TestSASLTranscripts(t *testing.T) {
	k := testKeys(t)
	for _, tt := range saslTests {
		t.Run(tt.name, func(t *testing.T) {
			var users []string
			s := tt.mech(k, func(u string) { users = append(users, u) })
			var initial []byte
			if tt.initial != "" {
				var err error
				if initial, err = DecodeInitial(tt.initial); err != nil {
					if !errors.Is(err, tt.err) {
						t.Fatalf("DecodeInitial(%q) = %v; want %v", tt.initial, err, tt.err)
					}
					return
				}
			}
			script := tt.script
			send := func(c string) error {
				if len(script) == 0 || script[0] != "S: "+c {
					return fmt.Errorf("server sent %q; script wants %q", c, script)
				}
				script = script[1:]
				return nil
			}
			recv := func() (string, error) {
				if len(script) == 0 || !strings.HasPrefix(script[0], "C: ") {
					return "", fmt.Errorf("server reads; script wants %q", script)
				}
				line := strings.TrimPrefix(script[0], "C: ")
				script = script[1:]
				return line, nil
			}
			err := Converse(s, initial, send, recv)
			if !errors.Is(err, tt.err) {
				t.Errorf("Converse = %v; want %v", err, tt.err)
			}
			if len(script) != 0 {
				t.Errorf("script left over: %q", script)
			}
			var want []string
			if tt.user != "" {
				want = []string{tt.user}
			}
			if fmt.Sprint(users) != fmt.Sprint(want) {
				t.Errorf("done called with %q; want %q", users, want)
			}
		})
	}
}

// After an exchange ends, a mechanism refuses further responses and
// never calls done again.
func TestSASLFinished(t *testing.T) {
	k := testKeys(t)
	for _, m := range []struct {
		name  string
		mech  mechanism
		steps []string
	}{
		{"PLAIN", plain, []string{"\x00dbc\x00tanstaaf"}},
		{"LOGIN", login, []string{"dbc", "tanstaaf"}},
		{"CRAM-MD5", cram, []string{"", "tim " + rfc2195Digest}},
	} {
		calls := 0
		s := m.mech(k, func(string) { calls++ })
		for i, step := range m.steps {
			_, done, err := s.Next([]byte(step))
			if err != nil || done != (i == len(m.steps)-1) {
				t.Fatalf("%s step %d: done %v, %v", m.name, i, done, err)
			}
		}
		_, done, err := s.Next([]byte("again"))
		if !done || !errors.Is(err, ErrMalformed) || !errors.Is(err, sasl.ErrUnexpectedClientResponse) {
			t.Errorf("%s after end: done %v, %v; want done, ErrMalformed", m.name, done, err)
		}
		if calls != 1 {
			t.Errorf("%s: done called %d times; want 1", m.name, calls)
		}
	}
}

func TestSASLNilDone(t *testing.T) {
	s := NewPlainServer(testKeys(t), nil)
	if _, done, err := s.Next([]byte("\x00dbc\x00tanstaaf")); !done || err != nil {
		t.Errorf("PLAIN with nil done: %v, %v", done, err)
	}
}

func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		line, want string
		err        error
	}{
		{"dGlt", "tim", nil},
		{"dGlt\r\n", "tim", nil},
		{"", "", nil},
		{"*", "", ErrCancelled},
		{"dGl", "", ErrMalformed},
		{"dG*t", "", ErrMalformed},
		{"=", "", ErrMalformed},
	}
	for _, tt := range tests {
		got, err := DecodeResponse(tt.line)
		if !errors.Is(err, tt.err) || string(got) != tt.want {
			t.Errorf("DecodeResponse(%q) = %q, %v; want %q, %v", tt.line, got, err, tt.want, tt.err)
		}
	}
	if got, err := DecodeInitial("="); err != nil || got == nil || len(got) != 0 {
		t.Errorf("DecodeInitial(=) = %q (nil %v), %v; want empty non-nil", got, got == nil, err)
	}
	if got := EncodeChallenge([]byte("Username:")); got != "VXNlcm5hbWU6" {
		t.Errorf("EncodeChallenge = %q", got)
	}
}

// endless never finishes, to test Converse's bound.
type endless struct{}

func (endless) Next([]byte) ([]byte, bool, error) { return []byte("more"), false, nil }

func TestConverseErrors(t *testing.T) {
	errSend, errRecv := errors.New("send broke"), errors.New("recv broke")
	ok := func(string) error { return nil }
	line := func() (string, error) { return "", nil }
	k := testKeys(t)
	tests := []struct {
		name string
		s    sasl.Server
		send func(string) error
		recv func() (string, error)
		err  error
		text string
	}{
		{"send", NewLoginServer(k, nil), func(string) error { return errSend }, line, errSend, "send challenge"},
		{"recv", NewLoginServer(k, nil), ok, func() (string, error) { return "", errRecv }, errRecv, "read response"},
		{"endless", endless{}, ok, line, nil, "too long"},
	}
	for _, tt := range tests {
		err := Converse(tt.s, nil, tt.send, tt.recv)
		if err == nil || tt.err != nil && !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: Converse = %v; want %v containing %q", tt.name, err, tt.err, tt.text)
		}
	}
}
