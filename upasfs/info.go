package upasfs

import (
	"fmt"
	"strconv"
	"strings"
)

// Info is a message's info file: 16 lines in 4e (spec §1.5), each
// value RFC 2047-decoded by upasfs. 9front's nupas appends size,
// flags, fileid and ffrom (spec §1.10); those are kept when present.
type Info struct {
	From      string // sender address list
	To        string
	Cc        string
	ReplyTo   string
	UnixDate  string // envelope date
	Subject   string
	Type      string
	Disp      string // disposition
	Filename  string
	Digest    string
	Bcc       string
	InReplyTo string
	Date      string // RFC 822 date, or the envelope date
	Sender    string
	MessageID string
	Lines     int

	// 9front only (spec §1.10).
	Size   int64
	Flags  string
	FileID string
	FFrom  string
}

// ParseInfo parses the content of an info file. It needs the 16 4e
// lines; a final line without its newline is accepted.
func ParseInfo(b []byte) (*Info, error) {
	s := strings.TrimSuffix(string(b), "\n")
	f := strings.Split(s, "\n")
	if len(f) < 16 {
		return nil, fmt.Errorf("info: %d lines, want 16", len(f))
	}
	inf := &Info{
		From: f[0], To: f[1], Cc: f[2], ReplyTo: f[3], UnixDate: f[4],
		Subject: f[5], Type: f[6], Disp: f[7], Filename: f[8], Digest: f[9],
		Bcc: f[10], InReplyTo: f[11], Date: f[12], Sender: f[13], MessageID: f[14],
	}
	if f[15] != "" {
		n, err := strconv.Atoi(f[15])
		if err != nil {
			return nil, fmt.Errorf("info: bad lines field %q", f[15])
		}
		inf.Lines = n
	}
	if len(f) >= 20 {
		inf.Size, _ = strconv.ParseInt(f[16], 10, 64)
		inf.Flags, inf.FileID, inf.FFrom = f[17], f[18], f[19]
	}
	return inf, nil
}
