package mbox

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	const from = "From bob@example.com Mon Jan  6 10:00:00 GMT 2025\n"
	for _, tt := range []struct {
		name, msg, want string
	}{
		{"plain", "Subject: x\n\nhi\n", from + "Subject: x\n\nhi\n\n"},
		{"no final newline", "Subject: x\n\nhi", from + "Subject: x\n\nhi\n\n"},
		{"empty", "", from + "\n"},
		{"CRLF", "Subject: x\r\n\r\nhi\r\nthere\r\n", from + "Subject: x\n\nhi\nthere\n\n"},
		{"lone CR kept", "S: x\r\n\r\na\rb\r", from + "S: x\n\na\rb\r\n\n"},
		{"From lines escaped",
			"Subject: x\n\nFrom me\n>From you\n From them\nFrom\nFrom \nfrom x\n",
			from + "Subject: x\n\n From me\n>From you\n From them\nFrom\n From \nfrom x\n\n"},
		{"CRLF From line", "S: x\r\n\r\nFrom me\r\n", from + "S: x\n\n From me\n\n"},
		{"malformed From header line", "From bob\nSubject: x\n\nhi\n", from + " From bob\nSubject: x\n\nhi\n\n"},
		{"NUL kept", "S: \x00\n\n\x00\n", from + "S: \x00\n\n\x00\n\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Format(&b, "bob@example.com", testDate, []byte(tt.msg)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("Format = %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestFromLine(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	for _, tt := range []struct {
		sender string
		date   time.Time
		want   string
	}{
		{"bob", testDate, "From bob Mon Jan  6 10:00:00 GMT 2025\n"},
		{"bob", time.Date(2025, 12, 31, 23, 59, 59, 0, est), "From bob Wed Dec 31 23:59:59 EST 2025\n"},
		{"", testDate, "From ??? Mon Jan  6 10:00:00 GMT 2025\n"},
		{"a b\tc\nd\x7f", testDate, "From a_b_c_d_ Mon Jan  6 10:00:00 GMT 2025\n"},
	} {
		if got := FromLine(tt.sender, tt.date); got != tt.want {
			t.Errorf("FromLine(%q, %v) = %q, want %q", tt.sender, tt.date, got, tt.want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFormatWriteError(t *testing.T) {
	if err := Format(failWriter{}, "a", testDate, []byte("x\n")); err == nil {
		t.Error("Format to a failing writer succeeded")
	}
}

// FuzzFormat: whatever the message (IMAP APPEND data is network
// input), Format's output is exactly one mbox message, ending with its
// separator, whose raw is the input with CRLF turned into LF, lines
// beginning "From " escaped and a final newline added if missing.
func FuzzFormat(f *testing.F) {
	for _, s := range []string{"", "Subject: x\n\nhi\n", "S: x\r\n\r\nFrom me\r\n", "From a\nFrom b", "\r\n\r\n\r", "x\nFrom "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var b bytes.Buffer
		if err := Format(&b, "s", testDate, msg); err != nil {
			t.Fatal(err)
		}
		out := b.Bytes()
		msgs, err := Scan(bytes.NewReader(out), 0)
		if err != nil || len(msgs) != 1 || msgs[0].Len != int64(len(out)-1) || !bytes.HasSuffix(out, []byte("\n\n")) {
			t.Fatalf("Format output %q scans as %+v, %v", out, msgs, err)
		}
		if raw := out[msgs[0].RawOff():]; !bytes.Equal(raw, naiveFormat(msg)) {
			t.Fatalf("raw %q, want %q", raw, naiveFormat(msg))
		}
	})
}

// naiveFormat is FuzzFormat's reference: what follows the From line.
func naiveFormat(msg []byte) []byte {
	var out []byte
	lines := bytes.SplitAfter(msg, []byte("\n"))
	for _, l := range lines {
		if len(l) == 0 {
			continue
		}
		if bytes.HasSuffix(l, []byte("\n")) {
			l = bytes.TrimSuffix(l[:len(l)-1], []byte("\r"))
		}
		if bytes.HasPrefix(l, []byte("From ")) {
			out = append(out, ' ')
		}
		out = append(out, l...)
		out = append(out, '\n')
	}
	return append(out, '\n')
}
