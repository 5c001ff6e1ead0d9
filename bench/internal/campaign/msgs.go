//go:build unix

package campaign

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
)

// Message returns the message whose Message-ID is <id>: its text is a
// function of id alone, so that a checker can tell a complete message
// from a damaged one by regenerating it. Lines end in LF, no line
// begins with "From " and the text ends with a line break. About one
// message in ten is 32 to 96 KiB, the others 0.3 to 4 KiB.
func Message(id string) []byte {
	h := fnv.New64a()
	h.Write([]byte(id))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
	size := 300 + rng.IntN(3800)
	if rng.IntN(10) == 0 {
		size = 32<<10 + rng.IntN(64<<10)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Campaign <campaign@example.org>\nTo: glenda@example.org\n")
	fmt.Fprintf(&b, "Subject: campaign %s\nDate: Mon, 02 Jan 2006 15:04:05 +0000\n", id)
	fmt.Fprintf(&b, "Message-ID: <%s>\n\n", id)
	for b.Len() < size {
		n := 40 + rng.IntN(36)
		start := b.Len()
		for b.Len()-start < n {
			if b.Len() > start {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

var words = []string{"plan", "nine", "mail", "upas", "glenda", "bell", "labs",
	"rune", "acme", "sam", "rio", "venti", "fossil", "factotum", "namespace",
	"bind", "mount", "walk", "clunk", "stat", "twrite", "rread", "qid", "mbox",
	"digest", "uid", "seen", "flagged", "answered", "draft", "recent", "lock"}

// CRLF converts LF line ends to CRLF, as a client sends a message.
func CRLF(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// FromLine is the From line the delivery agent writes.
const FromLine = "From campaign@example.org Mon Jan  2 15:04:05 2006\n"

// An Entry is one message found in a mailbox file.
type Entry struct {
	Off  int64
	ID   string // its Message-ID without <>, "" if none
	Good bool   // its text is exactly Message(ID)
	Head []byte // its first bytes, for reports
}

var msgIDRE = regexp.MustCompile(`(?mi)^Message-ID: *<([^>\n]*)>`)

// ParseMbox splits a mailbox file at its From lines and checks each
// message against Message. It returns an error if the file does not
// begin with a From line or does not end with a line break.
func ParseMbox(data []byte) ([]Entry, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if !bytes.HasPrefix(data, []byte("From ")) {
		return nil, fmt.Errorf("mailbox begins %q", head(data))
	}
	if data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("mailbox ends %q without a line break", data[max(0, len(data)-60):])
	}
	var es []Entry
	off := 0
	for off < len(data) {
		next := bytes.Index(data[off+1:], []byte("\nFrom "))
		end := len(data)
		if next >= 0 {
			end = off + 1 + next + 1
		}
		chunk := data[off:end]
		nl := bytes.IndexByte(chunk, '\n')
		text := chunk[nl+1:]
		e := Entry{Off: int64(off), Head: head(text)}
		if m := msgIDRE.FindSubmatch(text); m != nil {
			e.ID = string(m[1])
			want := Message(e.ID)
			e.Good = bytes.Equal(text, want) || bytes.Equal(text, append(want, '\n'))
		}
		es = append(es, e)
		off = end
	}
	return es, nil
}

func head(b []byte) []byte {
	return b[:min(len(b), 80)]
}
