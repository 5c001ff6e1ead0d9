package message

import (
	"encoding/binary"
	"errors"
	"p9mail/protocol/internal/binrec"
	"slices"
)

// marshalVersion is the first byte of Marshal's encoding; Unmarshal
// refuses any other, so a change of the encoding makes old index
// records misses, never misreadings.
// 2: addresses with placeholders (decision 20), text parts always with
// a charset (decision 19).
const marshalVersion = 2

// Marshal encodes s compactly, everything Load found included (the
// message's header and From line, the geometry of every part measured
// so far), so that Unmarshal gives back a Structure whose every output
// equals s's: the persistent index (protocol/index) keeps it by digest.
//
// The encoding: the version, maxHeader, then the part tree depth first.
// A node is a flags byte, its upasfs part number (not for the message),
// its geometry, From line, header, MIME fields, envelope and kids.
// Numbers are varints, strings and lists are length-prefixed, a list's
// count 0 meaning nil so that nil and empty survive apart.
func (s *Structure) Marshal() []byte {
	b := []byte{marshalVersion}
	b = binary.AppendUvarint(b, uint64(s.maxHeader))
	return s.root.marshal(b)
}

// Node flags.
const (
	fMsg = 1 << iota
	fTrim
	fHave
	fEnv
	fHeader
	fDigestDefault
	fFormShift = 6 // two bits of form
)

func (n *node) marshal(b []byte) []byte {
	n.mu.Lock()
	geo, have := n.geo, n.have
	n.mu.Unlock()
	f := byte(n.form) << fFormShift
	for _, x := range []struct {
		on  bool
		bit byte
	}{{n.msg, fMsg}, {n.trim, fTrim}, {have, fHave}, {n.env != nil, fEnv}, {n.header != nil, fHeader}, {n.mime.digestDefault, fDigestDefault}} {
		if x.on {
			f |= x.bit
		}
	}
	b = append(b, f)
	if len(n.path) > 0 {
		b = binary.AppendUvarint(b, uint64(n.path[len(n.path)-1]))
	}
	b = binary.AppendVarint(b, geo.size)
	b = binary.AppendVarint(b, geo.textOff)
	b = binary.AppendVarint(b, geo.lines)
	b = appendStr(b, n.unix)
	if n.header != nil {
		b = appendStr(b, string(n.header))
	}
	m := &n.mime
	b = appendStr(b, m.typ)
	b = appendStr(b, m.sub)
	b = appendParamList(b, m.params)
	b = appendStr(b, m.id)
	b = appendStr(b, m.desc)
	b = appendStr(b, m.enc)
	b = appendStr(b, m.md5)
	b = appendStr(b, m.disp)
	b = appendParamList(b, m.dispParams)
	b = appendCount(b, m.lang == nil, len(m.lang))
	for _, l := range m.lang {
		b = appendStr(b, l)
	}
	b = appendStr(b, m.loc)
	if e := n.env; e != nil {
		b = appendNStr(b, e.Date)
		b = appendNStr(b, e.Subject)
		for i, l := range [][]Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
			if (i == 1 || i == 2) && len(l) > 0 && len(l) == len(e.From) && &l[0] == &e.From[0] {
				b = append(b, 1) // newEnvelope's default: the From
				continue
			}
			b = appendAddrs(b, l)
		}
		b = appendNStr(b, e.InReplyTo)
		b = appendNStr(b, e.MessageID)
	}
	b = appendCount(b, n.kids == nil, len(n.kids))
	for _, k := range n.kids {
		b = k.marshal(b)
	}
	return b
}

// appendCount appends a list's count: 0 for nil, else n+1. Address
// lists shift by one more (appendAddrs).
func appendCount(b []byte, isNil bool, n int) []byte {
	if isNil {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(n)+1)
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendNStr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	return appendStr(b, *s)
}

func appendParamList(b []byte, ps []Param) []byte {
	b = appendCount(b, ps == nil, len(ps))
	for _, p := range ps {
		b = appendStr(b, p.Name)
		b = appendStr(b, p.Value)
	}
	return b
}

// appendAddrs appends an address list: 0 nil, 1 the From (Sender and
// Reply-To only), n+2 a list of n.
func appendAddrs(b []byte, l []Address) []byte {
	if l == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(l))+2)
	for _, a := range l {
		b = appendStr(b, a.Name)
		b = appendStr(b, a.Route)
		b = appendStr(b, a.Mailbox)
		b = appendStr(b, a.Host)
		b = append(b, byte(a.Group))
	}
	return b
}

// ErrMarshal is Unmarshal's error for any input Marshal did not make.
var ErrMarshal = errors.New("message: bad structure encoding")

// maxMarshalDepth bounds the tree Unmarshal follows: Load goes
// maxDepth levels below the message.
const maxMarshalDepth = maxDepth + 1

// Unmarshal decodes what Marshal encoded. It checks everything the
// Structure's methods rely on (a message has an envelope, a
// message/rfc822 node one message, sizes within each other) and
// fails with ErrMarshal on anything else, never panics, and allocates
// in proportion to b.
func Unmarshal(b []byte) (*Structure, error) {
	if len(b) == 0 || b[0] != marshalVersion {
		return nil, ErrMarshal
	}
	d := &decoder{binrec.Reader{B: b[1:]}}
	maxHeader := d.Uvarint()
	root := d.node(nil, 0)
	if d.Bad || len(d.B) != 0 || root == nil || !root.msg || maxHeader <= 0 || maxHeader > 1<<40 {
		return nil, ErrMarshal
	}
	return &Structure{root: root, body: root.body(), maxHeader: int64(maxHeader)}, nil
}

type decoder struct{ binrec.Reader }

func (d *decoder) nstr() *string {
	switch d.Byte() {
	case 0:
		return nil
	case 1:
		s := d.Str()
		return &s
	}
	d.Bad = true
	return nil
}

// count reads a list's count (shifted by shift, appendCount's and
// appendAddrs's), refusing more elements than bytes left: each takes
// at least one. It returns -1 for nil.
func (d *decoder) count(shift uint64) int {
	n := d.Uvarint()
	switch {
	case d.Bad:
		return -1
	case n < shift:
		return -int(n) - 1 // 0: nil (-1); 1 in an address list: the From (-2)
	case n-shift > uint64(len(d.B)):
		d.Bad = true
		return -1
	}
	return int(n - shift)
}

func (d *decoder) params() []Param {
	n := d.count(1)
	if n < 0 {
		return nil
	}
	ps := make([]Param, n)
	for i := range ps {
		ps[i] = Param{d.Str(), d.Str()}
	}
	return ps
}

func (d *decoder) addrs(from []Address, mayBeFrom bool) []Address {
	n := d.count(2)
	switch {
	case n == -2 && mayBeFrom && len(from) > 0:
		return from
	case n == -2:
		d.Bad = true
		return nil
	case n < 0:
		return nil
	}
	l := make([]Address, n)
	for i := range l {
		l[i] = Address{Name: d.Str(), Route: d.Str(), Mailbox: d.Str(), Host: d.Str(), Group: GroupMark(d.Byte())}
		if l[i].Group > GroupEnd {
			d.Bad = true
		}
	}
	return l
}

// node decodes a node whose parent's path is parent (nil for the
// message itself).
func (d *decoder) node(parent []int, depth int) *node {
	if depth > maxMarshalDepth {
		d.Bad = true
		return nil
	}
	f := d.Byte()
	n := &node{msg: f&fMsg != 0, trim: f&fTrim != 0, have: f&fHave != 0, form: form(f >> fFormShift)}
	if depth > 0 {
		k := d.Uvarint()
		if k > 1<<31 {
			d.Bad = true
		}
		n.path = append(slices.Clip(parent), int(k))
	}
	n.geo = geometry{size: d.Varint(), textOff: d.Varint(), lines: d.Varint()}
	n.unix = d.Str()
	if f&fHeader != 0 {
		n.header = []byte(d.Str())
	}
	m := &n.mime
	m.typ, m.sub, m.params = d.Str(), d.Str(), d.params()
	m.id, m.desc, m.enc, m.md5, m.disp = d.Str(), d.Str(), d.Str(), d.Str(), d.Str()
	m.dispParams = d.params()
	if k := d.count(1); k >= 0 {
		m.lang = make([]string, k)
		for i := range m.lang {
			m.lang[i] = d.Str()
		}
	}
	m.loc = d.Str()
	m.digestDefault = f&fDigestDefault != 0
	if f&fEnv != 0 {
		e := &Envelope{Date: d.nstr(), Subject: d.nstr()}
		e.From = d.addrs(nil, false)
		e.Sender = d.addrs(e.From, true)
		e.ReplyTo = d.addrs(e.From, true)
		e.To, e.Cc, e.Bcc = d.addrs(nil, false), d.addrs(nil, false), d.addrs(nil, false)
		e.InReplyTo, e.MessageID = d.nstr(), d.nstr()
		n.env = e
	}
	if k := d.count(1); k >= 0 && !d.Bad {
		n.kids = make([]*node, k)
		for i := range n.kids {
			if n.kids[i] = d.node(n.path, depth+1); d.Bad {
				return nil
			}
		}
	}
	if d.Bad || !n.valid(depth) {
		d.Bad = true
		return nil
	}
	return n
}

// valid checks what the methods of Structure take for granted of a
// node Load made.
func (n *node) valid(depth int) bool {
	g := n.geo
	switch {
	case n.msg != (n.env != nil), n.header != nil && depth > 0:
		return false
	case g.size < 0 || g.textOff < 0 || g.textOff > g.size || g.lines < 0:
		return false
	case !n.have && g != geometry{}:
		return false
	}
	switch n.form {
	case leaf:
		return len(n.kids) == 0
	case multipart:
		return len(n.kids) > 0
	case rfc822:
		return len(n.kids) == 1 && n.kids[0].msg
	}
	return false
}
