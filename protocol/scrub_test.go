package protocol

import "testing"

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT can't open mailbox evil: stat /mail/box/alice/evil: permission denied", "SELECT can't open mailbox evil: stat evil: permission denied"},
		{"open '/mail/fs/imap.3.1/12/raw': file does not exist", "open 'raw': file does not exist"},
		{"cannot open your mail: open /var/mail9/box/glenda: no such file", "cannot open your mail: open glenda: no such file"},
		{"mailbox /mail/box/glenda/ gone", "mailbox  gone"},
		{"plain text with a/relative/path and 3/4", "plain text with a/relative/path and 3/4"},
		{"/", "/"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
