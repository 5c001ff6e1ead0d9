package testenv

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMessageDeterministic(t *testing.T) {
	for k := Kind(0); k < NumKinds; k++ {
		for i := 0; i < 10; i++ {
			a := Message(42, i, k)
			if b := Message(42, i, k); !bytes.Equal(a, b) {
				t.Fatalf("%v #%d: two calls differ", k, i)
			}
			if bytes.Equal(a, Message(43, i, k)) {
				t.Errorf("%v #%d: seeds 42 and 43 give the same message", k, i)
			}
			if bytes.Equal(a, Message(42, i+1, k)) {
				t.Errorf("%v #%d and #%d are the same", k, i, i+1)
			}
		}
	}
}

// TestMessageParses walks every kind with the standard library: headers
// parse, MIME parts walk, transfer encodings decode, charsets hold, and
// each kind has the shape it promises.
func TestMessageParses(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 8
	}
	for _, seed := range []int64{1, 2, 99} {
		for k := Kind(0); k < NumKinds; k++ {
			for i := 0; i < n; i++ {
				if err := checkMessage(seed, i, k); err != nil {
					t.Errorf("seed %d %v #%d: %v", seed, k, i, err)
				}
			}
		}
	}
}

// checkMessage checks one generated message; see TestMessageParses.
func checkMessage(seed int64, i int, k Kind) error {
	msg := Message(seed, i, k)
	if err := checkShape(msg); err != nil {
		return err
	}
	leaves, m, err := walk(msg)
	if err != nil {
		return err
	}
	if err := checkHeaders(seed, i, k, m.Header); err != nil {
		return err
	}
	for _, l := range leaves {
		if strings.HasPrefix(l.ctype, "text/") {
			if _, err := decodedText(l); err != nil {
				return err
			}
		}
	}
	return checkKind(k, leaves)
}

// checkHeaders checks the top-level header fields against what the
// generator chose.
func checkHeaders(seed int64, i int, k Kind, h mail.Header) error {
	if _, err := h.Date(); err != nil {
		return fmt.Errorf("date %q: %w", h.Get("Date"), err)
	}
	ps := pickPeople(seed, i, k)
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 {
		return fmt.Errorf("from %q: %v %v", h.Get("From"), from, err)
	}
	if from[0].Address != ps.from.addr {
		return fmt.Errorf("from address %q, want %q", from[0].Address, ps.from.addr)
	}
	if (k == EncodedUTF8 || k == EncodedLatin1) && from[0].Name != ps.from.name() {
		return fmt.Errorf("from name %q, want %q (raw %q)", from[0].Name, ps.from.name(), h.Get("From"))
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != len(ps.to) {
		return fmt.Errorf("to %q: %v %v", h.Get("To"), to, err)
	}
	if got, want := h.Get("Message-ID"), string(appendMessageID(nil, seed, i)); got != want {
		return fmt.Errorf("message-id %q, want %q", got, want)
	}
	return checkSubject(seed, i, k, h)
}

// checkSubject decodes Subject (RFC 2047) and compares it with the base
// subject; the encoded kinds must use the encoded-words they promise.
func checkSubject(seed int64, i int, k Kind, h mail.Header) error {
	raw := h.Get("Subject")
	subj, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil {
		return fmt.Errorf("subject %q: %w", raw, err)
	}
	j := i
	if p := parentOf(seed, i); p >= 0 {
		j = p
		if !strings.HasPrefix(subj, "Re: ") {
			return fmt.Errorf("reply subject %q lacks Re:", subj)
		}
	}
	if !strings.Contains(subj, subjectText(seed, j, k)) {
		return fmt.Errorf("subject %q, want it to hold %q", subj, subjectText(seed, j, k))
	}
	up := strings.ToUpper(raw)
	switch k {
	case EncodedUTF8:
		if !strings.Contains(up, "=?UTF-8?B?") || !strings.Contains(up, "?= =?UTF-8?Q?") {
			return fmt.Errorf("subject %q: want adjacent UTF-8 B and Q words", raw)
		}
	case EncodedLatin1:
		if !strings.Contains(raw, "=?ISO-8859-1?Q?") {
			return fmt.Errorf("subject %q: want ISO-8859-1 Q words", raw)
		}
	default:
		if strings.Contains(raw, "=?") {
			return fmt.Errorf("subject %q: unexpected encoded-word", raw)
		}
	}
	return nil
}

// kindShapes lists the part tree each kind must have, as "path type"
// strings in walk order.
var kindShapes = map[Kind]string{
	Alternative:  "multipart/alternative 1:text/plain 2:text/html",
	Attachment:   "multipart/mixed 1:text/plain 2:* 3:text/plain",
	NestedRFC822: "multipart/mixed 1:text/plain 2:message/rfc822 2.1:multipart/alternative 2.1.1:text/plain 2.1.2:text/html",
}

// shape renders leaves in kindShapes' form; "*" stands for any
// non-text type.
func shape(leaves []leaf) string {
	var parts []string
	for _, l := range leaves {
		ct := l.ctype
		if !strings.HasPrefix(ct, "text/") && !strings.HasPrefix(ct, "multipart/") && ct != "message/rfc822" {
			ct = "*"
		}
		if l.path == "" {
			parts = append(parts, ct)
		} else {
			parts = append(parts, l.path+":"+ct)
		}
	}
	return strings.Join(parts, " ")
}

// checkKind checks what is particular to kind k.
func checkKind(k Kind, leaves []leaf) error {
	want, ok := kindShapes[k]
	if !ok {
		want = "text/plain"
	}
	if got := shape(leaves); got != want {
		return fmt.Errorf("parts %q, want %q", got, want)
	}
	body := leaves[len(leaves)-1].body
	switch k {
	case Attachment:
		return checkAttachment(leaves)
	case EncodedLatin1, EightBit:
		if utf8.Valid(body) {
			return fmt.Errorf("ISO-8859-1 body is valid UTF-8")
		}
		if cs := leaves[0].params["charset"]; (k == EightBit) != (cs == "") {
			return fmt.Errorf("charset %q", cs)
		}
	case FromInBody:
		if !bytes.Contains(body, []byte("\nFrom ")) || !bytes.Contains(body, []byte("\n>From ")) {
			return fmt.Errorf("body lacks a From line or a >From line")
		}
	case NulByte:
		if bytes.IndexByte(body, 0) < 0 {
			return fmt.Errorf("body has no NUL")
		}
	case EncodedUTF8, QuotedPrintable, Base64Text:
		if !hasHighByte(body) {
			return fmt.Errorf("UTF-8 body is all ASCII")
		}
	}
	return nil
}

// checkAttachment checks the base64 binary and the text file whose name
// has spaces.
func checkAttachment(leaves []leaf) error {
	bin, notes := leaves[2], leaves[3]
	if len(bin.body) == 0 || !strings.HasPrefix(bin.disp, "attachment") {
		return fmt.Errorf("binary part: %d bytes, disposition %q", len(bin.body), bin.disp)
	}
	_, params, err := mime.ParseMediaType(notes.disp)
	if err != nil || !strings.Contains(params["filename"], " ") {
		return fmt.Errorf("text attachment disposition %q: %v", notes.disp, err)
	}
	return nil
}

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func TestEnvelope(t *testing.T) {
	for _, seed := range []int64{1, 7} {
		for k := Kind(0); k < NumKinds; k++ {
			for i := 0; i < 30; i++ {
				env := Envelope(seed, i, k)
				if err := checkEnvelope(env, i, k); err != nil {
					t.Errorf("seed %d %v #%d: %q: %v", seed, k, i, env, err)
				}
				if addr := strings.Fields(env)[1]; addr != pickPeople(seed, i, k).from.addr {
					t.Errorf("seed %d %v #%d: envelope sender %q is not the From: address", seed, k, i, addr)
				}
			}
		}
	}
}

// checkEnvelope checks the From line form: Plan 9 ctime (zone optional)
// or, for NoDateFromLine, no date or "???".
func checkEnvelope(env string, i int, k Kind) error {
	f := strings.Fields(env)
	if f[0] != "From" || !strings.Contains(f[1], "@") {
		return fmt.Errorf("bad start")
	}
	if k == NoDateFromLine {
		if want := 2 + i%2; len(f) != want || (i%2 == 1 && f[2] != "???") {
			return fmt.Errorf("want %d fields, the third ???", want)
		}
		return nil
	}
	if len(f) != 8 && len(f) != 7 {
		return fmt.Errorf("%d fields", len(f))
	}
	date := strings.SplitN(env, " ", 3)[2]
	for _, layout := range []string{ctimeLayout, asctimeLayout} {
		if tm, err := time.Parse(layout, date); err == nil && tm.Format(layout) == date {
			return nil
		}
	}
	return fmt.Errorf("date %q is not ctime", date)
}

// TestEnvelopeGolden pins exact bytes, so that a change of generator
// output (which other packages' tests may depend on) is deliberate.
func TestEnvelopeGolden(t *testing.T) {
	tests := []struct {
		seed int64
		i    int
		k    Kind
		want string
	}{
		{1, 0, Plain, "From heidi.kowalski@example.net Tue Jan  2 09:05:27 GMT 2024"},
		{1, 8, NoDateFromLine, "From judy.dubois@cs.example.edu"},
		{1, 9, NoDateFromLine, "From victor@cs.example.edu ???"},
	}
	for _, tt := range tests {
		if got := Envelope(tt.seed, tt.i, tt.k); got != tt.want {
			t.Errorf("Envelope(%d, %d, %v) = %q, want %q", tt.seed, tt.i, tt.k, got, tt.want)
		}
	}
}
