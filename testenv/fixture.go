package testenv

import (
	"bytes"
	_ "embed"
)

// p9pMbox is the 5-message mailbox that a real plan9port upas/fs served
// in spec/p9p-upasfs.md §3. Messages 1 and 2 are byte-exact (their
// digests match the recorded ones); 3-5 are rebuilt from the recorded
// sizes and contents.
//
//go:embed testdata/p9p.mbox
var p9pMbox []byte

// digestMbox holds multipart/digest messages (RFC 2046 §5.1.5), whose
// parts without a Content-Type are messages: plan9port's upas/fs types
// them text/plain with no parts, the emulator message/rfc822
// (docs/upasfs.md).
//
//go:embed testdata/digest.mbox
var digestMbox []byte

// fixtureSeed is the generator seed of the generated fixtures.
const fixtureSeed = 1

// fixtureKindCount is the number of messages in a per-kind fixture.
const fixtureKindCount = 3

// Fixture returns a copy of the named fixture mbox, or nil for an
// unknown name. Names (see FixtureNames):
//   - "p9p": the mailbox of spec/p9p-upasfs.md §3: plain; RFC 2047 +
//     quoted-printable UTF-8; multipart/mixed with preamble, a text part
//     and 2 base64 attachments (data.bin, 128 bytes; notes.txt with
//     filename "notes file.txt"); multipart/mixed holding
//     multipart/alternative and message/rfc822; and a last message
//     ending "Last one.\n" at end of file with no blank line after it.
//   - "digest": a multipart/digest whose parts are a message without a
//     Content-Type, a message typed message/rfc822 and a text/plain
//     part; and a multipart/mixed holding a digest whose untyped parts
//     are a multipart/alternative message and a part whose message
//     header stands where its MIME header would.
//   - Kind.String() of each kind ("Plain", "NestedRFC822", ...): 3
//     generated messages of that kind.
//   - "all": one generated message of every kind, in Kind order.
func Fixture(name string) []byte {
	switch name {
	case "p9p":
		return bytes.Clone(p9pMbox)
	case "digest":
		return bytes.Clone(digestMbox)
	case "all":
		return generatedFixture(int(NumKinds), func(i int) Kind { return Kind(i) })
	}
	for k := Kind(0); k < NumKinds; k++ {
		if name == k.String() {
			return generatedFixture(fixtureKindCount, func(int) Kind { return k })
		}
	}
	return nil
}

// FixtureNames returns the names Fixture accepts: "p9p", "digest",
// "all", then one per kind in Kind order.
func FixtureNames() []string {
	names := []string{"p9p", "digest", "all"}
	for k := Kind(0); k < NumKinds; k++ {
		names = append(names, k.String())
	}
	return names
}

// generatedFixture writes an n-message mbox with fixtureSeed.
func generatedFixture(n int, kindOf func(int) Kind) []byte {
	var b bytes.Buffer
	if _, err := writeMbox(&b, fixtureSeed, n, kindOf); err != nil {
		return nil // a bytes.Buffer does not fail
	}
	return b.Bytes()
}
