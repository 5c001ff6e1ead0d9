package mbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// genMbox returns a deterministic mbox of about size bytes. Each
// message has a From line, five header lines, a blank line and a body
// of 300 B to 300+maxBody B (one in a hundred 5*maxBody), then the
// separator blank line. Two bodies in three are text lines of varied
// length with some ">From " lines; one in three is base64 in 76-byte
// lines, as attachments are.
func genMbox(seed uint64, size, maxBody int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b bytes.Buffer
	b.Grow(size + 6*maxBody)
	for i := 0; b.Len() < size; i++ {
		genMsg(&b, rng, i, maxBody)
	}
	return b.Bytes()
}

// genText and genBase64 are what body lines are cut from: words with
// some capitals and punctuation, and the base64 alphabet.
var genText, genBase64 = genPool(" etaoinshrdlucmfwypvbgkjqxzETAOINSHRDLUCMFWYPVB.,", 6), genPool("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 1)

// genPool returns 64 KB of bytes drawn from chars, the first ones
// weighted w times more.
func genPool(chars string, w int) string {
	rng := rand.New(rand.NewPCG(7, 7))
	t := make([]byte, 64<<10)
	for i := range t {
		k := rng.IntN(len(chars) + w*8)
		if k >= len(chars) {
			k = (k - len(chars)) % 8
		}
		t[i] = chars[k]
	}
	return string(t)
}

// genMsg appends message i to b.
func genMsg(b *bytes.Buffer, rng *rand.Rand, i, maxBody int) {
	fmt.Fprintf(b, "From user%d@example.com Mon Jan  6 10:%02d:%02d 2025\n", rng.IntN(100), i/60%60, i%60)
	fmt.Fprintf(b, "Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: User <user%d@example.com>\n", i)
	fmt.Fprintf(b, "To: someone@example.org\nSubject: message %d\nMessage-ID: <%d.%d@example.com>\n\n", i, i, rng.Uint64())
	n := 300 + rng.IntN(maxBody)
	if rng.IntN(100) == 0 {
		n = 5 * maxBody
	}
	base64 := rng.IntN(3) == 0
	for end := b.Len() + n; b.Len() < end; {
		pool, w := genText, rng.IntN(78)
		switch {
		case base64:
			pool, w = genBase64, 76
		case rng.IntN(50) == 0:
			b.WriteString(">From the archives\n")
			continue
		}
		o := rng.IntN(len(pool) - w)
		b.WriteString(pool[o : o+w])
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}
