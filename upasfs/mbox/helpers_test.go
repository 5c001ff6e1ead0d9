package mbox

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"
)

// testDate is the From line date of the tests' messages.
var testDate = time.Date(2025, time.January, 6, 10, 0, 0, 0, time.UTC)

// taggedMsg returns a formatted message identified by tag (its X-Tag
// header). Its CRLF line ends and body "From " line exercise Format.
func taggedMsg(tag string) []byte {
	var b bytes.Buffer
	msg := "X-Tag: " + tag + "\r\nSubject: test " + tag + "\r\n\r\nFrom the body of " + tag + "\r\nline\r\n"
	if err := Format(&b, "tester@example.com", testDate, []byte(msg)); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	return b.Bytes()
}

// tagOf returns the X-Tag of the message b, or "" if it has none.
func tagOf(b []byte) string {
	_, rest, ok := bytes.Cut(b, []byte("\nX-Tag: "))
	if !ok {
		return ""
	}
	tag, _, _ := bytes.Cut(rest, []byte("\n"))
	return string(tag)
}

// appendTagged appends n messages tagged id-0, id-1, ... to path.
func appendTagged(path, id string, n int) error {
	for i := range n {
		if err := Append(path, taggedMsg(fmt.Sprintf("%s-%d", id, i)), 30*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// scanFile reads and scans the mailbox file path.
func scanFile(t *testing.T, path string) ([]byte, []Msg) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := Scan(bytes.NewReader(b), 0)
	if err != nil {
		t.Fatal(err)
	}
	return b, msgs
}

// tagsOf returns the tags of the messages in the file content b.
func tagsOf(b []byte, msgs []Msg) []string {
	var tags []string
	for _, m := range msgs {
		tags = append(tags, tagOf(b[m.Off:m.End()]))
	}
	return tags
}

// fastRetry makes Lock retry every few milliseconds for one test.
func fastRetry(t *testing.T) {
	old := retryInterval
	retryInterval = 2 * time.Millisecond
	t.Cleanup(func() { retryInterval = old })
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0600); err != nil {
		t.Fatal(err)
	}
}
