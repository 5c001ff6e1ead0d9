package testenv

import "time"

// Header fields of a top-level message, in the two orders generated:
// classic (upas/marshal, mutt) and modern (Thunderbird-like).
const (
	hReceived = iota
	hDate
	hFrom
	hSender
	hReplyTo
	hTo
	hCc
	hBcc
	hSubject
	hMessageID
	hInReplyTo
	hReferences
	hMailer
	hMIMEVersion
	hContent
)

var (
	classicOrder = []int{hReceived, hDate, hFrom, hSender, hReplyTo, hTo, hCc,
		hBcc, hSubject, hMessageID, hInReplyTo, hReferences, hMailer,
		hMIMEVersion, hContent}
	modernOrder = []int{hReceived, hMessageID, hDate, hMIMEVersion, hMailer,
		hSubject, hTo, hCc, hBcc, hReferences, hFrom, hSender, hReplyTo,
		hInReplyTo, hContent}
)

var mailers = []string{"X-Mailer: upas/marshal", "User-Agent: Mutt/2.2.9",
	"User-Agent: Mozilla Thunderbird", "X-Mailer: Acme Mail"}

// rfc5322Layouts are the Date: forms generated (RFC 5322 §3.3 and the
// obsolete forms real mail still has).
var rfc5322Layouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)", "2 Jan 2006 15:04:05 -0700",
}

// contentHeader is the MIME description of a message or part body.
type contentHeader struct {
	ctype string // Content-Type value; "" writes no MIME headers
	cte   string // Content-Transfer-Encoding value; "" for none
}

// headerPlan is what one message's header block holds beyond the
// fields every message has.
type headerPlan struct {
	ch                   contentHeader
	received             bool
	sender, replyTo, bcc bool
	mailer               int // index into mailers, -1 for none
	parent               int // message replied to, -1 for none
}

// headers appends the header block of the message (without the blank
// line that ends it). ch gives the Content-Type; MIME-Version is written
// exactly when ch.ctype is set.
func (g *gen) headers(ch contentHeader) {
	r := &g.r
	order := classicOrder
	if r.chance(30) {
		order = modernOrder
	}
	hp := headerPlan{ch: ch, mailer: -1, parent: parentOf(g.seed, g.i)}
	// The "???" From lines need a Received: line to date them (spec §1.4).
	hp.received = r.chance(25) || (g.k == NoDateFromLine && g.i%2 != 0)
	hp.sender, hp.replyTo, hp.bcc = r.chance(3), r.chance(8), r.chance(2)
	if r.chance(40) {
		hp.mailer = r.intn(len(mailers))
	}
	for _, f := range order {
		g.buf = g.field(g.buf, f, &hp)
	}
}

// field appends header field f, if the plan has it.
func (g *gen) field(b []byte, f int, hp *headerPlan) []byte {
	switch f {
	case hReceived:
		if hp.received {
			b = g.received(b)
		}
	case hDate:
		b = append(b, "Date: "...)
		t := writeTime(g.seed, g.i).In(g.ps.from.zone)
		b = t.AppendFormat(b, pick(&g.r, rfc5322Layouts))
		b = append(b, '\n')
	case hFrom:
		b = g.fromField(b)
	case hSender:
		if hp.sender {
			b = append(b, "Sender: owner-9fans@example.org\n"...)
		}
	case hReplyTo:
		if hp.replyTo {
			b = g.addrField(b, "Reply-To: ", []person{pick(&g.r, asciiPeople)})
		}
	case hTo:
		b = g.addrField(b, "To: ", g.ps.to)
	case hCc:
		b = g.addrField(b, "Cc: ", g.ps.cc)
	case hBcc:
		if hp.bcc {
			b = g.addrField(b, "Bcc: ", g.ps.to[:1])
		}
	case hSubject:
		b = g.subjectField(b, hp.parent)
	case hMessageID:
		b = append(b, "Message-ID: "...)
		b = appendMessageID(b, g.seed, g.i)
		b = append(b, '\n')
	case hInReplyTo:
		if hp.parent >= 0 {
			b = append(b, "In-Reply-To: "...)
			b = appendMessageID(b, g.seed, hp.parent)
			b = append(b, '\n')
		}
	case hReferences:
		b = g.references(b, hp.parent)
	case hMailer:
		if hp.mailer >= 0 {
			b = append(b, mailers[hp.mailer]...)
			b = append(b, '\n')
		}
	case hMIMEVersion:
		if hp.ch.ctype != "" {
			b = append(b, "MIME-Version: 1.0\n"...)
		}
	case hContent:
		b = appendContentHeader(b, hp.ch)
	}
	return b
}

// received appends a Received: field dated at delivery (RFC 5321 §4.4).
// upas/fs takes a missing From-line date from the first Received: line
// (spec §1.4 unixdate).
func (g *gen) received(b []byte) []byte {
	b = append(b, "Received: from mx"...)
	b = append(b, byte('1'+g.r.intn(3)))
	b = append(b, ".example.net ([192.0.2."...)
	b = append(b, byte('1'+g.r.intn(9)))
	b = append(b, "])\n\tby mail.example.org (Plan 9); "...)
	b = deliveryTime(g.seed, g.i).In(gmt).AppendFormat(b, "Mon, 2 Jan 2006 15:04:05 -0700")
	return append(b, '\n')
}

// appendContentHeader appends Content-Type and Content-Transfer-Encoding
// lines; nothing when ch.ctype is empty.
func appendContentHeader(b []byte, ch contentHeader) []byte {
	if ch.ctype == "" {
		return b
	}
	b = append(b, "Content-Type: "...)
	b = append(b, ch.ctype...)
	b = append(b, '\n')
	if ch.cte != "" {
		b = append(b, "Content-Transfer-Encoding: "...)
		b = append(b, ch.cte...)
		b = append(b, '\n')
	}
	return b
}

// addrField appends "name: addr, addr\n", folding long lists; nothing
// when ps is empty.
func (g *gen) addrField(b []byte, name string, ps []person) []byte {
	if len(ps) == 0 {
		return b
	}
	b = append(b, name...)
	for j, p := range ps {
		if j > 0 {
			b = append(b, ',')
			b = appendFoldSpace(b, len(p.name())+len(p.addr)+3)
		}
		b = appendAddr(b, &g.r, p)
	}
	return append(b, '\n')
}

// appendAddr appends p as a mailbox (RFC 5322 §3.4) in one of the forms
// mail really has: Name <addr>, "Name" <addr>, "Last, First" <addr>,
// a bare addr, or addr (Name).
func appendAddr(b []byte, r *rng, p person) []byte {
	switch n := r.intn(10); {
	case n < 6:
		b = append(b, p.name()...)
	case n == 6 && p.last != "":
		b = append(b, '"')
		b = append(b, p.last...)
		b = append(b, ", "...)
		b = append(b, p.first...)
		b = append(b, '"')
	case n == 7:
		return append(b, p.addr...)
	case n == 8:
		b = append(b, p.addr...)
		b = append(b, " ("...)
		b = append(b, p.name()...)
		return append(b, ')')
	default:
		b = append(b, '"')
		b = append(b, p.name()...)
		b = append(b, '"')
	}
	b = append(b, " <"...)
	b = append(b, p.addr...)
	return append(b, '>')
}

// fromField appends From:, its display name RFC 2047-encoded for the
// encoded kinds (spec §1.5): UTF-8 as a B word and a Q word side by side,
// ISO-8859-1 as Q words.
func (g *gen) fromField(b []byte) []byte {
	p := g.ps.from
	switch g.k {
	case EncodedUTF8:
		b = append(b, "From: "...)
		b = appendWords(b, "UTF-8", 'B', []byte(p.first))
		if p.last != "" {
			b = appendFoldSpace(b, 30)
			b = appendWords(b, "UTF-8", 'Q', []byte(" "+p.last))
		}
	case EncodedLatin1:
		b = append(b, "From: "...)
		b = appendWords(b, "ISO-8859-1", 'Q', appendLatin1(nil, []byte(p.name())))
	default:
		return g.addrField(b, "From: ", []person{p})
	}
	b = append(b, " <"...)
	b = append(b, p.addr...)
	return append(b, ">\n"...)
}

// references appends References: with the thread's Message-IDs, one per
// line after the first (RFC 5322 §3.6.4); nothing for a thread start.
func (g *gen) references(b []byte, parent int) []byte {
	if parent < 0 {
		return b
	}
	b = append(b, "References:"...)
	for j, a := range ancestors(g.seed, g.i) {
		if j > 0 {
			b = append(b, '\n')
		}
		b = append(b, ' ')
		b = appendMessageID(b, g.seed, a)
	}
	return append(b, '\n')
}

// quoteDate formats the date of a cited message for "On ..., X wrote:".
func quoteDate(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, "Mon, Jan 2, 2006 at 3:04 PM")
}
