package mime

import (
	"strings"
	"testing"
)

// TestOtherCharsets checks decision 2 for charsets beyond the built-in
// three: headers (info) and leaf text bodies become UTF-8.
func TestOtherCharsets(t *testing.T) {
	for _, tc := range []struct {
		charset, subject, body, wantSubject, wantBody string
	}{
		{"iso-8859-2", "=?iso-8859-2?Q?=B1=E6?=", "\xb1\xe6\n", "ąć", "ąć\n"},
		{"windows-1252", "=?windows-1252?Q?=80?=", "\x80 5\n", "€", "€ 5\n"},
		{"koi8-r", "=?koi8-r?B?8NLJ18XU?=", "\xf0\xd2\xc9\xd7\xc5\xd4\n", "Привет", "Привет\n"},
	} {
		msg := "From a@b.example Mon Jan  6 10:00:00 GMT 2025\nSubject: " + tc.subject +
			"\nContent-Type: text/plain; charset=" + tc.charset + "\n\n" + tc.body
		r := strings.NewReader(msg)
		p, err := Parse(r, 0, int64(len(msg)), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		body := string(readContent(t, p, "body"))
		if body != tc.wantBody {
			t.Errorf("%s body = %q, want %q", tc.charset, body, tc.wantBody)
		}
		info := strings.Split(string(readContent(t, p, "info")), "\n")
		if info[5] != tc.wantSubject {
			t.Errorf("%s subject = %q, want %q", tc.charset, info[5], tc.wantSubject)
		}
	}
}
