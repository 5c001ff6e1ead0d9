package imap_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
)

// TestFetchBatches fetches two sections of every message of a mailbox
// large enough for several FETCH batches, read ahead while the one
// before is written (fetch.go prefetch): sections small enough to be
// read ahead, more of them than one batch may hold in memory, and
// sections too large, which are streamed. Every byte must arrive, in
// order, whichever way it went.
func TestFetchBatches(t *testing.T) {
	var mbox bytes.Buffer
	const n = 100
	for i := range n {
		size := 60 << 10 // read ahead, until a batch's budget is spent
		if i%10 == 3 {
			size = 90 << 10 // streamed
		}
		fmt.Fprintf(&mbox, "From sender@example.com Mon Jan  1 00:00:%02d 2024\n", i%60)
		fmt.Fprintf(&mbox, "From: sender@example.com\nSubject: message %d\n\n", i+1)
		line := fmt.Sprintf("message %d line of text\n", i+1)
		mbox.WriteString(strings.Repeat(line, size/len(line)))
		mbox.WriteString("\n")
	}
	e := newInteropEnv(t, false, mbox.Bytes())
	c := e.goimapLogin()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	whole := &goimap.FetchItemBodySection{Peek: true}
	text := &goimap.FetchItemBodySection{Peek: true, Specifier: goimap.PartSpecifierText}
	msgs, err := c.Fetch(seqRange(1, 0), &goimap.FetchOptions{RFC822Size: true,
		BodySection: []*goimap.FetchItemBodySection{whole, text}}).Collect()
	if err != nil {
		t.Fatalf("FETCH 1:*: %v", err)
	}
	if len(msgs) != n || len(e.want) != n {
		t.Fatalf("FETCH 1:* returned %d messages of %d, want %d", len(msgs), len(e.want), n)
	}
	for i, m := range msgs {
		w := e.want[i].wire
		compareMessage(t, fmt.Sprintf("message %d BODY[]", i+1), m.FindBodySection(whole), w)
		_, body, _ := bytes.Cut(w, []byte("\r\n\r\n"))
		compareMessage(t, fmt.Sprintf("message %d BODY[TEXT]", i+1), m.FindBodySection(text), body)
		if m.RFC822Size != int64(len(w)) {
			t.Errorf("message %d: RFC822.SIZE %d, want %d", i+1, m.RFC822Size, len(w))
		}
	}
}
