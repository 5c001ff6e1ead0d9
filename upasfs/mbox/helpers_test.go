package mbox

import (
	"bytes"
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

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0600); err != nil {
		t.Fatal(err)
	}
}
