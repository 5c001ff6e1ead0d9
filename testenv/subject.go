package testenv

// subjectText returns the base subject of message j as the current
// kind writes it: ASCII, or with non-ASCII letters for the RFC 2047
// kinds. It depends on (seed, j) and the kind only.
func subjectText(seed int64, j int, k Kind) string {
	r := newRNG(seed, j, streamSubject)
	a, u, l := r.intn(len(subjects)), r.intn(len(accentedSubjects)), r.intn(len(latin1Subjects))
	switch k {
	case EncodedUTF8:
		return accentedSubjects[u]
	case EncodedLatin1:
		return latin1Subjects[l]
	}
	return subjects[a]
}

// subjectField appends Subject:, "Re: " and the parent's subject for a
// reply. The encoded kinds write RFC 2047 words (spec §1.5): UTF-8 as a
// B word followed by an adjacent Q word that begins with an encoded space
// (so 4e's rule of dropping white space between adjacent words keeps the
// text intact), ISO-8859-1 as Q words.
func (g *gen) subjectField(b []byte, parent int) []byte {
	j := g.i
	b = append(b, "Subject: "...)
	if parent >= 0 {
		j = parent
		b = append(b, "Re: "...)
	}
	text := subjectText(g.seed, j, g.k)
	switch g.k {
	case EncodedUTF8:
		cs := "UTF-8"
		if g.r.chance(30) {
			cs = "utf-8"
		}
		s := splitPoint(text)
		b = appendWords(b, cs, 'B', []byte(text[:s]))
		b = appendFoldSpace(b, 20)
		b = appendWords(b, cs, 'Q', []byte(text[s:]))
		if g.r.chance(30) {
			b = append(b, " [draft]"...)
		}
	case EncodedLatin1:
		b = appendWords(b, "ISO-8859-1", 'Q', appendLatin1(nil, []byte(text)))
	default:
		b = append(b, text...)
	}
	return append(b, '\n')
}

// splitPoint returns where to cut text into two encoded words: at the
// space nearest the middle, else at a rune boundary near the middle;
// always 0 < s < len(text) for texts of two or more runes.
func splitPoint(text string) int {
	mid := len(text) / 2
	best := -1
	for s := 1; s < len(text); s++ {
		if text[s] == ' ' && (best < 0 || abs(s-mid) < abs(best-mid)) {
			best = s
		}
	}
	if best > 0 {
		return best
	}
	s := mid
	for s > 1 && s < len(text) && !runeStart(text[s]) {
		s--
	}
	return max(s, 1)
}

// runeStart reports whether c begins a UTF-8 sequence.
func runeStart(c byte) bool { return c&0xc0 != 0x80 }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
