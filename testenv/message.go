package testenv

// gen builds one message at a time; its buffers are reused from one
// message to the next, so writing a mailbox allocates little per message.
type gen struct {
	seed  int64
	i     int
	k     Kind
	r     rng    // the message's own choices: formats, sizes, text
	ps    people // sender and recipients
	inner bool   // writing a forwarded message: no quotation of the thread
	buf   []byte // the message being built
	text  []byte // scratch: text before charset conversion and encoding
	conv  []byte // scratch: text after charset conversion
}

// Message returns the RFC 5322 text (LF line ends, ending in "\n") of
// message number i (0-based) of kind k, deterministic for (seed, i, k).
// Date, people, Message-ID and thread (In-Reply-To, References) depend
// on (seed, i) only. Bodies run from a few lines to ~20 KB; Attachment
// messages occasionally carry a ~200 KB binary. A kind out of range is
// generated as Plain.
func Message(seed int64, i int, k Kind) []byte {
	var g gen
	return g.message(seed, i, k)
}

// message builds message i of kind k in g.buf and returns g.buf.
func (g *gen) message(seed int64, i int, k Kind) []byte {
	if k < 0 || k >= NumKinds {
		k = Plain
	}
	g.seed, g.i, g.k, g.inner = seed, i, k, false
	g.r = newRNG(seed, i, streamBody+uint64(k)<<32)
	g.ps = pickPeople(seed, i, k)
	g.buf = g.buf[:0]
	switch k {
	case Alternative:
		g.alternative()
	case Attachment:
		g.attachment()
	case NestedRFC822:
		g.nested()
	default:
		g.singlePart()
	}
	return g.buf
}

// textBody says how a text body is written: vocabulary, charset and
// transfer encoding.
type textBody struct {
	contentHeader
	style  textStyle
	latin1 bool // store as ISO-8859-1
}

// singlePartBody chooses the body form of a single-part kind.
func (g *gen) singlePartBody() textBody {
	ascii := contentHeader{"text/plain; charset=us-ascii", "7bit"}
	if g.r.chance(50) {
		ascii = contentHeader{}
	}
	switch g.k {
	case EncodedUTF8:
		return textBody{contentHeader{"text/plain; charset=utf-8", "8bit"}, utf8Style, false}
	case EncodedLatin1:
		return textBody{contentHeader{"text/plain; charset=iso-8859-1", "quoted-printable"}, latin1Style, true}
	case QuotedPrintable:
		st := utf8Style
		st.longLines = g.r.chance(50)
		return textBody{contentHeader{`text/plain; charset="utf-8"`, "quoted-printable"}, st, false}
	case Base64Text:
		return textBody{contentHeader{"text/plain; charset=utf-8", "base64"}, utf8Style, false}
	case EightBit:
		eight := contentHeader{"text/plain", "8bit"}
		if g.r.chance(50) {
			eight = contentHeader{}
		}
		return textBody{eight, latin1Style, true}
	}
	return textBody{ascii, asciiStyle, false}
}

// singlePart builds a text/plain message (every kind but the multipart
// ones).
func (g *gen) singlePart() {
	tb := g.singlePartBody()
	g.headers(tb.contentHeader)
	g.buf = append(g.buf, '\n')
	g.text = g.letter(g.text[:0], tb.style, bodySize(&g.r))
	g.buf = g.appendText(g.buf, tb)
}

// appendText appends g.text in tb's charset and transfer encoding.
func (g *gen) appendText(dst []byte, tb textBody) []byte {
	text := g.text
	if tb.latin1 {
		g.conv = appendLatin1(g.conv[:0], text)
		text = g.conv
	}
	switch tb.cte {
	case "quoted-printable":
		return appendQP(dst, text)
	case "base64":
		return appendBase64Lines(dst, text)
	}
	return append(dst, text...)
}

// letter appends a text body in UTF-8: greeting, the kind's special
// lines, about size bytes of paragraphs, a quotation of the parent for
// some replies, and a closing.
func (g *gen) letter(dst []byte, style textStyle, size int) []byte {
	r := &g.r
	if g.k == FromInBody && g.i%2 == 0 {
		dst = append(dst, fromLines...) // the body's first line starts "From "
	}
	if style.accents != nil {
		dst = append(dst, pick(r, accentedGreetings)...)
	} else {
		dst = append(dst, pick(r, greetings)...)
	}
	dst = append(dst, ' ')
	dst = append(dst, g.ps.to[0].first...)
	dst = append(dst, ",\n\n"...)
	switch g.k {
	case FromInBody:
		dst = append(dst, fromLines...)
		dst = append(dst, '\n')
	case NulByte:
		dst = append(dst, "The record separator was a NUL (\x00) byte.\n\n"...)
	}
	dst = appendParagraphs(dst, r, style, "", size)
	if p := parentOf(g.seed, g.i); p >= 0 && !g.inner && r.chance(70) {
		dst = g.quote(dst, p, style)
	}
	if r.chance(40) {
		dst = append(dst, "\n-- \n"...)
		dst = append(dst, g.ps.from.name()...)
		dst = append(dst, '\n')
		return dst
	}
	dst = append(dst, '\n')
	dst = append(dst, pick(r, closings)...)
	dst = append(dst, '\n')
	dst = append(dst, g.ps.from.first...)
	return append(dst, '\n')
}

// fromLines are body lines an mbox writer must escape (spec §1.8): a
// line that looks like a whole envelope line, an ordinary "From " line,
// one indented (deliver escapes it too), and one already escaped the
// Unix way with '>', which nothing escapes again.
const fromLines = "From bob@example.com Mon Jan  6 10:00:00 GMT 2025\n" +
	"From the minutes of the last meeting, three points stand out.\n" +
	"  From an indented line: deliver escapes these too.\n" +
	">From a Unix mailer that escaped this line with '>'.\n"

// quote appends "On <date>, <name> wrote:" and a quotation in "> "
// lines (RFC 3676 §4.5 style) of message p.
func (g *gen) quote(dst []byte, p int, style textStyle) []byte {
	who := pickPeople(g.seed, p, KindOf(g.seed, p)).from
	dst = append(dst, "\nOn "...)
	dst = quoteDate(dst, writeTime(g.seed, p))
	dst = append(dst, ", "...)
	if style.fits(who.name()) {
		dst = append(dst, who.name()...)
	} else {
		dst = append(dst, who.addr...)
	}
	dst = append(dst, " wrote:\n"...)
	style.longLines = false
	return appendParagraphs(dst, &g.r, style, "> ", g.r.between(80, 600))
}
