package message

import (
	"strings"
	"testing"
	"time"
)

// TestBaseSubject checks RFC 5256 §2.1 step by step.
func TestBaseSubject(t *testing.T) {
	for _, c := range []struct {
		raw, base string
		reply     bool
	}{
		{"", "", false},
		{"hello", "hello", false},
		{"  hello \t world  ", "hello world", false},                // (1) white space
		{"hello\r\n\tworld", "hello world", false},                  // (1) a fold
		{"=?utf-8?q?Caf=C3=A9?= news", "Café news", false},          // (1) RFC 2047 to UTF-8
		{"=?iso-8859-1?q?RE:_C?=", "C", true},                       // decoded before the leader is seen
		{"=?us-ascii?b?UmU6IGM=?=", "c", true},                      // B encoding
		{"hello (fwd)", "hello", true},                              // (2)
		{"hello (FWD)  (fwd) ", "hello", true},                      // (2) repeated
		{"hello(fwd)x", "hello(fwd)x", false},                       // not a trailer
		{"Re: hello", "hello", true},                                // (3) subj-refwd
		{"RE:hello", "hello", true},                                 //
		{"Fwd: hello", "hello", true},                               //
		{"fw: hello", "hello", true},                                //
		{"Re [2]: hello", "hello", true},                            // subj-refwd's blob
		{"[list] Re: hello", "hello", true},                         // blobs then refwd
		{"Re: Re: Re: hello", "hello", true},                        // (5) repeated
		{"[list] hello", "hello", false},                            // (4) a blob alone
		{"[list]", "[list]", false},                                 // (4) not when nothing is left
		{"[a] [b]", "[b]", false},                                   // (4) the last blob stays
		{"Ad: Re: Ad: Re: Ad: x", "Ad: Re: Ad: Re: Ad: x", false},   // not a refwd
		{"Rex: hello", "Rex: hello", false},                         //
		{"[fwd: hello]", "hello", true},                             // (6)
		{"Re: [FWD: c]", "c", true},                                 // (3) then (6)
		{"[fwd: [fwd: re: x (fwd)]]", "x", true},                    // (6) back to (2)
		{"re: [fwd: [fwd: re: [fwd: babylon]]]", "babylon", true},   // imaptest sort-subject
		{"[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)", "b", true},      // imaptest sort-subject
		{"[caf\u00e9] hello", "[caf\u00e9] hello", false},           // BLOBCHAR is 7-bit
		{"Re: [list] caf\u00e9 NEWS (fwd)", "caf\u00e9 NEWS", true}, //
		{"=?iso-8859-1?q?_?=", "", false},                           // only a space
		{"=?x-unknown?q?Re:_a?=", "=?x-unknown?q?Re:_a?=", false},   // left as it stands
	} {
		base, reply := BaseSubject(c.raw)
		if base != c.base || reply != c.reply {
			t.Errorf("BaseSubject(%q) = %q, %v; want %q, %v", c.raw, base, reply, c.base, c.reply)
		}
	}
}

func TestAsciiCasemap(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "ABC", "Café": "CAFé", "ÅsA": "ÅSA", "X-1": "X-1"} {
		if got := AsciiCasemap(in); got != want {
			t.Errorf("AsciiCasemap(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseDate checks RFC 5322 dates, the obsolete forms included.
func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"Mon, 6 Jan 2025 12:00:00 -0500", utc(2025, 1, 6, 17, 0, 0)},
		{"6 Jan 2025 12:00 +0000", utc(2025, 1, 6, 12, 0, 0)},
		{"Tue, 07 Jan 97 10:00:00 GMT", utc(1997, 1, 7, 10, 0, 0)},  // two digits, >= 50
		{"7 Jan 49 10:00:00 +0000", utc(2049, 1, 7, 10, 0, 0)},      // two digits, < 50
		{"7 Jan 103 10:00:00 +0000", utc(2003, 1, 7, 10, 0, 0)},     // three digits
		{"Mon, 6 Jan 2025 12:00:00 EST", utc(2025, 1, 6, 17, 0, 0)}, // obsolete zone
		{"Mon, 6 Jan 2025 12:00:00 (comment) +0100", utc(2025, 1, 6, 11, 0, 0)},
		{"Mon, 6 Jan 2025 12:00:00", utc(2025, 1, 6, 12, 0, 0)}, // no zone: UTC
		{"Jan 6 2025 12:00:00 +0000", utc(2025, 1, 6, 12, 0, 0)},
	} {
		got, ok := ParseDate(c.in)
		if !ok || !got.Equal(c.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", c.in, got.UTC(), ok, c.want)
		}
	}
	for _, bad := range []string{"", "garbage", "6 Jan 2025", "32 Jan 2025 10:00 +0000", "6 Foo 2025 10:00", "6 Jan 2025 25:00"} {
		if got, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) = %v, want not ok", bad, got)
		}
	}
}

func TestMessageIDs(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want []string
	}{
		{"<a@b>", 1, []string{"a@b"}},
		{" <a@b> <c@d>", 1, []string{"a@b"}},
		{"<a@b> (comment <x@y>) <c@d>", 10, []string{"a@b", "c@d"}},
		{"<a@b>\r\n <c\r\n @d>", 10, []string{"a@b", "c@d"}},
		{"<nohost> <@x> <y@> <ok@x>", 10, []string{"ok@x"}},
		{"Your message of Monday <a@b>", 1, []string{"a@b"}},
		{"<1@x> <2@x> <3@x>", 2, []string{"2@x", "3@x"}}, // the last ones
		{"", 1, nil},
		{"<unterminated@x", 1, nil},
	} {
		got := MessageIDs(c.in, c.max)
		if len(got) != len(c.want) {
			t.Errorf("MessageIDs(%q) = %q, want %q", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("MessageIDs(%q) = %q, want %q", c.in, got, c.want)
			}
		}
	}
}

// FuzzBaseSubject: BaseSubject ends, is idempotent on its result's
// reply-free text, and never grows its input.
func FuzzBaseSubject(f *testing.F) {
	for _, s := range []string{"Re: [list] x (fwd)", "[fwd: [fwd: re: x]]", "=?utf-8?q?Re:_=C3=A9?=", "[a][b][c] fw[x]: y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base, _ := BaseSubject(s)
		if strings.Contains(base, "=?") {
			return // decoding made another encoded word
		}
		if again, reply := BaseSubject(base); again != base && !reply {
			t.Fatalf("BaseSubject(%q) = %q, but BaseSubject of that is %q", s, base, again)
		}
		ParseDate(s)
		MessageIDs(s, 3)
	})
}
