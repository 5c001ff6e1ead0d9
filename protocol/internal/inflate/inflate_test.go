package inflate

import (
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// bitWriter builds DEFLATE streams by hand: bits go first bit lowest,
// Huffman codes most significant bit first (RFC 1951 §3.1.1).
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v int, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) code(c int, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(c>>i&1, 1)
	}
}

func (w *bitWriter) align() {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
}

func (w *bitWriter) bytes() []byte {
	out := append([]byte(nil), w.out...)
	if w.n > 0 {
		out = append(out, byte(w.acc))
	}
	return out
}

// fixedLitCode writes symbol s of the fixed literal/length code.
func (w *bitWriter) fixedLit(s int) {
	switch {
	case s < 144:
		w.code(0x30+s, 8)
	case s < 256:
		w.code(0x190+s-144, 9)
	case s < 280:
		w.code(s-256, 7)
	default:
		w.code(0xc0+s-280, 8)
	}
}

// canonical returns the codes of lengths (RFC 1951 §3.2.2).
func canonical(lengths []int) []int {
	var count [16]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [16]int
	code := 0
	for b := 1; b < 16; b++ {
		code = (code + count[b-1]) << 1
		next[b] = code
	}
	codes := make([]int, len(lengths))
	for i, l := range lengths {
		if l != 0 {
			codes[i] = next[l]
			next[l]++
		}
	}
	return codes
}

func inflateAll(b []byte) ([]byte, error) {
	return io.ReadAll(NewReader(bytes.NewReader(b)))
}

// trickle hands out its data in pieces of 1, 2, ... 7 octets.
type trickle struct {
	b []byte
	k int
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.b) == 0 {
		return 0, io.EOF
	}
	t.k = t.k%7 + 1
	n := copy(p[:min(len(p), t.k)], t.b)
	t.b = t.b[n:]
	return n, nil
}

// inflateTrickle inflates b fed a few octets at a time and read into
// buffers of 1 to 13 octets, to exercise every resumption point.
func inflateTrickle(b []byte) ([]byte, error) {
	r := NewReader(&trickle{b: b})
	var out []byte
	for k := 0; ; k++ {
		var buf [13]byte
		n, err := r.Read(buf[:k%13+1])
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestStored(t *testing.T) {
	var w bitWriter
	w.bits(0, 1) // not final
	w.bits(0, 2) // stored
	w.align()
	w.bits(5, 16)
	w.bits(^5&0xffff, 16)
	w.out = append(w.out, "hello"...)
	w.bits(1, 1) // final, empty stored
	w.bits(0, 2)
	w.align()
	w.bits(0, 16)
	w.bits(0xffff, 16)
	got, err := inflateAll(w.bytes())
	if err != nil || string(got) != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestFixed(t *testing.T) {
	var w bitWriter
	w.bits(1, 1)
	w.bits(1, 2)
	for _, c := range "abc" {
		w.fixedLit(int(c))
	}
	w.fixedLit(257) // length 3
	w.code(2, 5)    // distance 3
	w.fixedLit('x')
	w.fixedLit(264) // length 10
	w.code(0, 5)    // distance 1: overlapping copy
	w.fixedLit(284) // length 227 + 5 extra bits: 258 is 285, 257 is 284 with 30
	w.bits(30, 5)
	w.code(0, 5)
	w.fixedLit(256)
	got, err := inflateAll(w.bytes())
	want := "abcabcx" + strings.Repeat("x", 10) + strings.Repeat("x", 257)
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v", got, err)
	}
}

// dynamicHeader writes a dynamic block's header with literal/length
// lengths lit and distance lengths dist, coding every length with the
// code-length code (no repeats).
func dynamicHeader(w *bitWriter, final int, lit, dist []int) {
	w.bits(final, 1)
	w.bits(2, 2)
	w.bits(len(lit)-257, 5)
	w.bits(len(dist)-1, 5)
	// Code-length code: every length 0..15 used gets 4 bits, complete
	// over 16 symbols.
	var cl [19]int
	for i := range 16 {
		cl[i] = 4
	}
	w.bits(19-4, 4)
	for _, s := range clOrder {
		w.bits(cl[s], 3)
	}
	clc := canonical(cl[:])
	for _, l := range append(append([]int(nil), lit...), dist...) {
		w.code(clc[l], 4)
	}
}

func TestDynamic(t *testing.T) {
	// 'a' 1 bit, end-of-block and length 3 two bits; one distance code
	// of one bit (incomplete, as zlib allows).
	lit := make([]int, 258)
	lit['a'], lit[256], lit[257] = 1, 2, 2
	dist := []int{1}
	var w bitWriter
	dynamicHeader(&w, 1, lit, dist)
	lc := canonical(lit)
	w.code(lc['a'], 1)
	w.code(lc[257], 2)
	w.code(0, 1) // distance 1
	w.code(lc['a'], 1)
	w.code(lc[256], 2)
	got, err := inflateAll(w.bytes())
	if err != nil || string(got) != "aaaaa" {
		t.Fatalf("got %q, %v", got, err)
	}

	// With repeat codes 16, 17 and 18: 'a'..'d' three bits, end of
	// block and length 3 two, one distance code of one bit.
	w = bitWriter{}
	w.bits(1, 1)
	w.bits(2, 2)
	w.bits(1, 5)  // 258 literal/length codes
	w.bits(0, 5)  // 1 distance code
	w.bits(14, 4) // 18 code-length lengths
	cl := make([]int, 19)
	cl[18], cl[17], cl[16], cl[3], cl[2], cl[1] = 2, 2, 3, 3, 3, 3
	for _, s := range clOrder[:18] {
		w.bits(cl[s], 3)
	}
	clc := canonical(cl)
	put := func(s, extra int, n uint) {
		w.code(clc[s], uint(cl[s]))
		w.bits(extra, n)
	}
	put(18, 97-11, 7) // 0..96 zero
	put(3, 0, 0)      // 'a'
	put(16, 0, 2)     // 'b', 'c', 'd'
	put(18, 138-11, 7)
	put(17, 10-3, 3)
	put(17, 7-3, 3) // up to 255 zero
	put(2, 0, 0)    // 256
	put(2, 0, 0)    // 257
	put(1, 0, 0)    // distance 0
	lit = make([]int, 258)
	lit['a'], lit['b'], lit['c'], lit['d'], lit[256], lit[257] = 3, 3, 3, 3, 2, 2
	lc = canonical(lit)
	for _, s := range []int{'a', 'b', 257, 0, 'c', 'd', 256} {
		if s == 0 {
			w.code(0, 1)
			continue
		}
		w.code(lc[s], uint(lit[s]))
	}
	got, err = inflateAll(w.bytes())
	if err != nil || string(got) != "abbbbcd" {
		t.Fatalf("with repeats: %q, %v", got, err)
	}
	if want, err := io.ReadAll(flate.NewReader(bytes.NewReader(w.bytes()))); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("compress/flate: %q, %v", want, err)
	}
}

// TestErrors: each kind of bad stream is refused as zlib refuses it.
func TestErrors(t *testing.T) {
	fixed := func(f func(w *bitWriter)) []byte {
		var w bitWriter
		w.bits(1, 1)
		w.bits(1, 2)
		f(&w)
		return w.bytes()
	}
	lit := make([]int, 258)
	lit['a'], lit[256], lit[257] = 1, 2, 2
	for _, tc := range []struct {
		name   string
		stream []byte
		want   string
	}{
		{"block type 3", []byte{0x07}, "invalid block type"},
		{"stored lengths", []byte{0x01, 5, 0, 0xfa, 0xfe}, "invalid stored block lengths"},
		{"too far back", fixed(func(w *bitWriter) {
			w.fixedLit('a')
			w.fixedLit(257)
			w.code(1, 5) // distance 2, one octet out
		}), "too far back"},
		{"distance code 30", fixed(func(w *bitWriter) {
			w.fixedLit('a')
			w.fixedLit(257)
			w.code(30, 5)
		}), "invalid distance code"},
		{"length code 286", fixed(func(w *bitWriter) { w.fixedLit(286) }), "invalid literal/length code"},
		{"too many", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(2, 2)
			w.bits(30, 5) // 287
			w.bits(0, 5)
			w.bits(0, 4)
			w.bits(0, 32)
			return w.bytes()
		}(), "too many length or distance symbols"},
		{"incomplete code-length code", func() []byte {
			var w bitWriter
			w.bits(1, 1)
			w.bits(2, 2)
			w.bits(0, 5)
			w.bits(0, 5)
			w.bits(0, 4)
			w.bits(0, 3)  // 16
			w.bits(0, 3)  // 17
			w.bits(1, 3)  // 18: one code of one bit
			w.bits(0, 3)  // 0
			w.bits(0, 32) // more than enough
			return w.bytes()
		}(), "invalid code lengths set"},
		{"repeat first", func() []byte {
			var w bitWriter
			cl := make([]int, 19)
			cl[16], cl[0] = 1, 1
			w.bits(1, 1)
			w.bits(2, 2)
			w.bits(0, 5)
			w.bits(0, 5)
			w.bits(0, 4)
			for _, s := range clOrder[:4] {
				w.bits(cl[s], 3)
			}
			w.code(canonical(cl)[16], 1)
			w.bits(0, 32)
			return w.bytes()
		}(), "invalid bit length repeat"},
		{"no end of block", func() []byte {
			var w bitWriter
			l := make([]int, 257)
			l['a'], l['b'] = 1, 1
			dynamicHeader(&w, 1, l, []int{0})
			w.bits(0, 16)
			return w.bytes()
		}(), "missing end-of-block"},
		{"oversubscribed", func() []byte {
			var w bitWriter
			l := make([]int, 257)
			l['a'], l['b'], l[256] = 1, 1, 1
			dynamicHeader(&w, 1, l, []int{1})
			w.bits(0, 16)
			return w.bytes()
		}(), "invalid literal/lengths set"},
		{"incomplete literal code", func() []byte {
			var w bitWriter
			l := make([]int, 257)
			l['a'], l[256] = 1, 2
			dynamicHeader(&w, 1, l, []int{1})
			w.bits(0, 16)
			return w.bytes()
		}(), "invalid literal/lengths set"},
		{"empty distance code used", func() []byte {
			var w bitWriter
			dynamicHeader(&w, 1, lit, []int{0})
			lc := canonical(lit)
			w.code(lc['a'], 1)
			w.code(lc[257], 2)
			w.bits(0, 16)
			return w.bytes()
		}(), "invalid distance code"},
	} {
		got, err := inflateAll(tc.stream)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if _, serr := io.ReadAll(flate.NewReader(bytes.NewReader(tc.stream))); serr == nil {
			t.Errorf("%s: compress/flate accepts it", tc.name)
		}
	}

	// An empty distance code is fine while unused.
	var w bitWriter
	dynamicHeader(&w, 1, lit, []int{0})
	lc := canonical(lit)
	w.code(lc['a'], 1)
	w.code(lc[256], 2)
	if got, err := inflateAll(w.bytes()); err != nil || string(got) != "a" {
		t.Errorf("unused empty distance code: %q, %v", got, err)
	}

	// A stream cut short.
	full := fixed(func(w *bitWriter) {
		w.fixedLit('a')
		w.fixedLit(256)
	})
	if got, err := inflateAll(full[:1]); err != io.ErrUnexpectedEOF {
		t.Errorf("cut short: %q, %v", got, err)
	}
	if got, err := inflateAll(nil); err != io.ErrUnexpectedEOF || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
}

// chanSource hands out its chunks one per Read and blocks when it has
// none, as a connection does.
type chanSource chan []byte

func (c chanSource) Read(p []byte) (int, error) {
	b, ok := <-c
	if !ok {
		return 0, io.EOF
	}
	if len(b) > len(p) {
		panic("chunk too large")
	}
	return copy(p, b), nil
}

// readBurst reads from r until it has want octets, failing if that
// takes more than two seconds (the reader waits for input it does not
// need).
func readBurst(t *testing.T, r io.Reader, want string) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		var got []byte
		buf := make([]byte, 16<<10)
		for len(got) < len(want) {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		done <- string(got)
	}()
	select {
	case got := <-done:
		if got != want {
			t.Fatalf("burst %q, want %q", got, want)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("no burst %q: the reader waits for more input", want)
	}
}

// TestFlushes: the octets of each burst are handed out when the burst
// has arrived, whatever flush ended it. The streams were written by
// Python's zlib (level 6, raw deflate): Z_PARTIAL_FLUSH twice, as
// mbsync flushes, then Z_FULL_FLUSH, then Z_FINISH.
func TestFlushes(t *testing.T) {
	bursts := []struct{ hex, text string }{
		{"4a54f0f177f7f45348cf49cd4b49544849cdcdd72d4e4d2e4a2de1e50208", "a LOGIN glenda demo-secret\r\n"},
		{"a0248560571f57e710054f3f27ff085e2e8000", "b SELECT INBOX\r\n"},
		{"4a06a9f50f0de1e502000000ffff", "c LOGOUT\r\n"},
		{"4b51f0f3f70fe0e50200", "d NOOP\r\n"},
	}
	src := make(chanSource, 1)
	r := NewReader(src)
	for _, b := range bursts {
		data, err := hex.DecodeString(b.hex)
		if err != nil {
			t.Fatal(err)
		}
		src <- data
		readBurst(t, r, b.text)
	}
	close(src)
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the final block: %d, %v", n, err)
	}

	// A sync flush of compress/flate, fed an octet at a time.
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	src = make(chanSource, 1<<16)
	r = NewReader(src)
	for _, s := range []string{"first line\r\n", strings.Repeat("second ", 1000) + "\r\n", "third\r\n"} {
		z.Reset()
		io.WriteString(fw, s)
		fw.Flush()
		for _, c := range z.Bytes() {
			src <- []byte{c}
		}
		readBurst(t, r, s)
	}

	// A partial flush's output arrives even with the closing bits of
	// the empty block still to come: hand-made, a fixed block ended by
	// its end-of-block code, then the first octet of a second block.
	var w bitWriter
	w.bits(0, 1)
	w.bits(1, 2)
	w.fixedLit('o')
	w.fixedLit('k')
	w.fixedLit(256)
	w.bits(0, 1)
	w.bits(1, 2) // an empty fixed block: its 7-bit end code still to come
	cut := w.bytes()
	src = make(chanSource, 1)
	r = NewReader(src)
	src <- cut[:len(cut)-1]
	readBurst(t, r, "ok")
}

// TestTrickle: streams of every block type inflate alike fed a few
// octets at a time into small buffers.
func TestTrickle(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for level := -2; level <= 9; level++ {
		var plain []byte
		for range 100000 {
			plain = append(plain, "abcdefgh\r\n"[rng.IntN(10)])
		}
		var z bytes.Buffer
		fw, _ := flate.NewWriter(&z, level)
		for i := 0; i < len(plain); i += 7000 {
			fw.Write(plain[i:min(i+7000, len(plain))])
			fw.Flush()
		}
		fw.Close()
		got, err := inflateTrickle(z.Bytes())
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("level %d: %d of %d octets, %v", level, len(got), len(plain), err)
		}
	}
}

// TestBoundedInput: a long stream is read in chunks of inChunk, and the
// input kept never grows past a few chunks.
func TestBoundedInput(t *testing.T) {
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	rng := rand.New(rand.NewPCG(1, 2))
	var plain []byte
	for range 1 << 16 {
		plain = append(plain, "abcdefghijklmnop"[rng.IntN(16)])
	}
	fw.Write(plain)
	fw.Close()
	r := NewReader(&z)
	var out []byte
	buf := make([]byte, 1000)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if cap(r.in) > 2*inChunk+1024 {
			t.Fatalf("input buffer %d octets", cap(r.in))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out, plain) {
		t.Fatalf("%d octets out of %d", len(out), len(plain))
	}
}

// FuzzInflate compares Reader with compress/flate. A first octet that
// is even makes the rest plain text compressed by compress/flate with
// flushes at points the data chooses; an odd one makes the rest a
// stream given to both decoders. Streams that both accept must inflate
// alike; streams that one refuses the other must refuse too, the
// shorter output a prefix of the longer (they fail at different points
// of their buffering).
func FuzzInflate(f *testing.F) {
	f.Add([]byte("\x00hello, hello, hello"))
	f.Add([]byte("\x02" + strings.Repeat("abc", 300)))
	f.Add(append([]byte{1}, mustHex("4a54f0f177f7f45348cf49cd4b49544849cdcdd72d4e4d2e4a2de1e50208a0248560571f57e710054f3f27ff085e2e80004a06a9f50f0de1e502000000ffff4b51f0f3f70fe0e50200")...))
	f.Add([]byte{1, 0x07})
	for _, level := range []int{0, 1, 6, 9, -2} {
		var z bytes.Buffer
		fw, _ := flate.NewWriter(&z, level)
		io.WriteString(fw, strings.Repeat("a LOGIN glenda demo-secret\r\nb SELECT INBOX\r\n", 20))
		fw.Flush()
		io.WriteString(fw, "c UID FETCH 1:* (FLAGS)\r\n")
		fw.Close()
		f.Add(append([]byte{1}, z.Bytes()...))
	}
	f.Add([]byte{1, 0x01, 5, 0, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o'})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		mode, data := data[0], data[1:]
		if mode%2 == 0 {
			var z bytes.Buffer
			fw, err := flate.NewWriter(&z, int(mode/2)%10)
			if err != nil {
				t.Fatal(err)
			}
			rest := data
			for len(rest) > 0 {
				k := min(len(rest), 1+int(rest[0])*int(mode|1)%4096)
				fw.Write(rest[:k])
				fw.Flush()
				rest = rest[k:]
			}
			fw.Close()
			got, err := inflateAll(z.Bytes())
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("compress/flate stream: %d of %d octets, %v", len(got), len(data), err)
			}
			got, err = inflateTrickle(z.Bytes())
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("compress/flate stream trickled: %d of %d octets, %v", len(got), len(data), err)
			}
			return
		}
		got, err := inflateAll(data)
		tgot, terr := inflateTrickle(data)
		if !bytes.Equal(got, tgot) || (err == nil) != (terr == nil) || err != nil && err.Error() != terr.Error() {
			t.Fatalf("whole: %d octets, %v; trickled: %d octets, %v", len(got), err, len(tgot), terr)
		}
		want, serr := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
		if (err == nil) != (serr == nil) {
			t.Fatalf("inflate: %v; compress/flate: %v", err, serr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("inflate %d octets, compress/flate %d", len(got), len(want))
		}
		short, long := got, want
		if len(short) > len(long) {
			short, long = long, short
		}
		if !bytes.HasPrefix(long, short) {
			t.Fatalf("outputs differ within %d octets", len(short))
		}
	})
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// benchStream is 4 MiB of mail-like text deflated by compress/flate.
func benchStream(b *testing.B) ([]byte, int) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields("the of and to a in is it you that he was for on are with as I his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find")
	var plain bytes.Buffer
	for plain.Len() < 4<<20 {
		plain.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(12) == 0 {
			plain.WriteString("\r\n")
		} else {
			plain.WriteByte(' ')
		}
	}
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.DefaultCompression)
	fw.Write(plain.Bytes())
	fw.Close()
	return z.Bytes(), plain.Len()
}

func benchDecode(b *testing.B, newReader func(io.Reader) io.Reader) {
	z, n := benchStream(b)
	buf := make([]byte, 16<<10)
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		r := newReader(bytes.NewReader(z))
		total := 0
		for {
			k, err := r.Read(buf)
			total += k
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if total != n {
			b.Fatalf("%d octets, want %d", total, n)
		}
	}
}

func BenchmarkInflate(b *testing.B) {
	benchDecode(b, func(r io.Reader) io.Reader { return NewReader(r) })
}

func BenchmarkStdFlate(b *testing.B) {
	benchDecode(b, func(r io.Reader) io.Reader { return flate.NewReader(r) })
}
