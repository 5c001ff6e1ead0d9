package mbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// genMbox returns a deterministic mbox of about size bytes: messages
// with bodies of 300 B to 300+maxBody B (one in a hundred 5*maxBody),
// with headers, a blank line,
// body lines of varied length including ">From " lines, each message
// ended by the separator blank line.
func genMbox(seed uint64, size, maxBody int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b bytes.Buffer
	b.Grow(size + 256<<10)
	for i := 0; b.Len() < size; i++ {
		genMsg(&b, rng, i, maxBody)
	}
	return b.Bytes()
}

// genText is the lowercase text body lines are cut from.
var genText = func() string {
	rng := rand.New(rand.NewPCG(7, 7))
	t := make([]byte, 64<<10)
	for i := range t {
		t[i] = byte('a' + rng.IntN(26))
		if rng.IntN(6) == 0 {
			t[i] = ' '
		}
	}
	return string(t)
}()

// genMsg appends message i to b.
func genMsg(b *bytes.Buffer, rng *rand.Rand, i, maxBody int) {
	fmt.Fprintf(b, "From user%d@example.com Mon Jan  6 10:%02d:%02d 2025\n", rng.IntN(100), i/60%60, i%60)
	fmt.Fprintf(b, "Date: Mon, 6 Jan 2025 10:00:00 +0000\nFrom: User <user%d@example.com>\n", i)
	fmt.Fprintf(b, "To: someone@example.org\nSubject: message %d\nMessage-ID: <%d.%d@example.com>\n\n", i, i, rng.Uint64())
	n := 300 + rng.IntN(maxBody)
	if rng.IntN(100) == 0 {
		n = 5 * maxBody
	}
	for end := b.Len() + n; b.Len() < end; {
		if rng.IntN(50) == 0 {
			b.WriteString(">From the archives\n")
			continue
		}
		w := rng.IntN(78)
		o := rng.IntN(len(genText) - w)
		b.WriteString(genText[o : o+w])
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}
