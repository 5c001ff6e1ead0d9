package testenv

import "unicode/utf8"

// Generated text: paragraphs of sentences, wrapped at 72 columns, framed
// by a greeting and a signature. Everything is appended to a caller's
// buffer; nothing is allocated per word.

const wrapCol = 72

// textStyle chooses the vocabulary of generated text.
type textStyle struct {
	accents   []string // extra non-ASCII words (UTF-8), nil for ASCII text
	accentPct int      // percentage of words taken from accents
	longLines bool     // one line per paragraph (for quoted-printable bodies)
	maxRune   rune     // the largest rune the body's charset holds
}

var (
	asciiStyle  = textStyle{maxRune: 0x7f}
	utf8Style   = textStyle{accents: accentedWords, accentPct: 12, maxRune: utf8.MaxRune}
	latin1Style = textStyle{accents: latin1Words, accentPct: 12, maxRune: 0xff}
)

// fits reports whether the style's charset can hold s.
func (st textStyle) fits(s string) bool {
	for _, r := range s {
		if r > st.maxRune {
			return false
		}
	}
	return true
}

// para writes paragraphs of wrapped text; prefix starts every line.
type para struct {
	r      *rng
	style  textStyle
	prefix string
	col    int
}

// word appends w, wrapping first if the line would pass wrapCol.
func (p *para) word(dst []byte, w string) []byte {
	switch {
	case p.col == 0:
		dst = append(dst, p.prefix...)
		p.col = len(p.prefix)
	case !p.style.longLines && p.col+1+len(w) > wrapCol:
		dst = append(dst, '\n')
		dst = append(dst, p.prefix...)
		p.col = len(p.prefix)
	default:
		dst = append(dst, ' ')
		p.col++
	}
	p.col += len(w)
	return append(dst, w...)
}

// endLine ends the current line, if any.
func (p *para) endLine(dst []byte) []byte {
	if p.col > 0 {
		dst = append(dst, '\n')
		p.col = 0
	}
	return dst
}

// sentence appends one sentence of 4-16 words.
func (p *para) sentence(dst []byte) []byte {
	n := p.r.between(4, 16)
	for j := 0; j < n; j++ {
		w := pick(p.r, asciiWords)
		if p.style.accents != nil && p.r.chance(p.style.accentPct) {
			w = pick(p.r, p.style.accents)
		}
		start := len(dst)
		dst = p.word(dst, w)
		if j == 0 {
			dst = capitalize(dst, start)
		}
		if j < n-1 && p.r.chance(6) {
			dst = append(dst, ',')
			p.col++
		}
	}
	dst = append(dst, ".?!."[p.r.intn(4)])
	p.col++
	return dst
}

// capitalize upper-cases the ASCII letter that begins the word at or
// after start (after any line break and prefix).
func capitalize(dst []byte, start int) []byte {
	for j := start; j < len(dst); j++ {
		c := dst[j]
		if c == ' ' || c == '\n' || c == '>' {
			continue
		}
		if c >= 'a' && c <= 'z' {
			dst[j] = c - 'a' + 'A'
		}
		break
	}
	return dst
}

// paragraph appends one paragraph and the line end after it.
func (p *para) paragraph(dst []byte) []byte {
	switch n := p.r.intn(10); {
	case n == 0:
		dst = p.list(dst)
	case n == 1:
		dst = p.config(dst)
	default:
		for s := p.r.between(2, 6); s > 0; s-- {
			dst = p.sentence(dst)
		}
	}
	return p.endLine(dst)
}

// list appends a short bullet list.
func (p *para) list(dst []byte) []byte {
	for n := p.r.between(2, 5); n > 0; n-- {
		dst = p.endLine(dst)
		dst = append(dst, p.prefix...)
		dst = append(dst, "  - "...)
		p.col = len(p.prefix) + 4
		for w := p.r.between(2, 7); w > 0; w-- {
			dst = append(dst, pick(p.r, asciiWords)...)
			dst = append(dst, ' ')
		}
		dst = dst[:len(dst)-1]
	}
	return dst
}

// config appends an indented block of "key = value" lines, which give
// quoted-printable bodies their =3D.
func (p *para) config(dst []byte) []byte {
	for n := p.r.between(2, 4); n > 0; n-- {
		dst = p.endLine(dst)
		dst = append(dst, p.prefix...)
		dst = append(dst, '\t')
		dst = append(dst, pick(p.r, asciiWords)...)
		dst = append(dst, " = "...)
		dst = append(dst, pick(p.r, asciiWords)...)
		p.col = 1
	}
	return dst
}

// appendParagraphs appends paragraphs separated by blank lines (a line of
// the prefix alone inside a quotation) until at least size bytes were
// added.
func appendParagraphs(dst []byte, r *rng, style textStyle, prefix string, size int) []byte {
	p := para{r: r, style: style, prefix: prefix}
	start := len(dst)
	for first := true; first || len(dst)-start < size; first = false {
		if !first {
			dst = append(dst, prefix...)
			if len(dst) > 0 && dst[len(dst)-1] == ' ' {
				dst = dst[:len(dst)-1]
			}
			dst = append(dst, '\n')
		}
		dst = p.paragraph(dst)
	}
	return dst
}

// bodySize draws the size of a text body: mostly short notes, some
// pages, rarely up to ~20 KB.
func bodySize(r *rng) int {
	switch n := r.intn(100); {
	case n < 60:
		return r.between(150, 1200)
	case n < 88:
		return r.between(1200, 4000)
	case n < 98:
		return r.between(4000, 10000)
	default:
		return r.between(10000, 20000)
	}
}
