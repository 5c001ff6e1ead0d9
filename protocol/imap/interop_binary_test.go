package imap_test

// Interoperability of BINARY (RFC 3516) with go-imap v2's imapclient:
// a base64 part holding NUL comes back decoded (go-imap reads the
// literal8), a quoted-printable one with its soft line breaks gone,
// and BINARY.SIZE agrees with what BINARY sends.

import (
	"bytes"
	"encoding/base64"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestInteropGoIMAPBinary(t *testing.T) {
	blob := make([]byte, 3000)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(blob)
	var lines []byte
	for len(enc) > 76 {
		lines = append(append(lines, enc[:76]...), '\n')
		enc = enc[76:]
	}
	lines = append(append(lines, enc...), '\n')
	data := []byte("From glenda Thu Dec  3 10:00:00 2026\nFrom: a@example.com\nSubject: bin\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain; charset=utf-8\n" +
		"Content-Transfer-Encoding: quoted-printable\n\nna=C3=AFve long =\nline\n--B\n" +
		"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" + string(lines) + "--B--\n\n")
	e := newInteropEnv(t, false, data)
	c, err := imapclient.DialStartTLS(e.addr, &imapclient.Options{TLSConfig: e.cert.Client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Caps().Has(goimap.CapBinary) {
		// Caps are those of the greeting before login; ask again.
		caps, err := c.Capability().Wait()
		if err != nil || !caps.Has(goimap.CapBinary) {
			t.Fatalf("BINARY not announced: %v %v", caps, err)
		}
	}
	if err := c.Login(ioUser, ioPass).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	qp := &goimap.FetchItemBinarySection{Part: []int{1}, Peek: true}
	bin := &goimap.FetchItemBinarySection{Part: []int{2}, Peek: true}
	msgs, err := c.Fetch(goimap.SeqSetNum(1), &goimap.FetchOptions{
		BinarySection:     []*goimap.FetchItemBinarySection{qp, bin},
		BinarySectionSize: []*goimap.FetchItemBinarySectionSize{{Part: []int{1}}, {Part: []int{2}}},
	}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH BINARY: %d messages, %v", len(msgs), err)
	}
	m := msgs[0]
	if got := m.FindBinarySection(qp); string(got) != "naïve long line" {
		t.Errorf("BINARY[1] = %q, want %q", got, "naïve long line")
	}
	if got := m.FindBinarySection(bin); !bytes.Equal(got, blob) {
		t.Errorf("BINARY[2]: %d bytes, not the %d encoded", len(got), len(blob))
	}
	// A partial BINARY answers "BINARY[2]<100>" (RFC 3516 §4.2, as
	// Dovecot does), which go-imap v2 cannot parse: binary.txt and
	// imaptest cover partials.
	for k, want := range map[int]uint32{1: uint32(len("naïve long line")), 2: uint32(len(blob))} {
		if got, ok := m.FindBinarySectionSize([]int{k}); !ok || got != want {
			t.Errorf("BINARY.SIZE[%d] = %d, %v; want %d", k, got, ok, want)
		}
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
}
