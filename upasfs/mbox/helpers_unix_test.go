//go:build unix

package mbox

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

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
