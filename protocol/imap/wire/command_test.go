package wire_test

// A generic reader for every RFC 3501 command's arguments, built only
// on the exported API, and its inverse. The fuzz target and the
// transcript tests use them: what readCommand accepts, writeCommand must
// write back in a form readCommand reads to the same command.

import (
	"fmt"
	"io"
	"strings"

	"p9mail/protocol/imap/wire"
)

// command is a parsed command; each argument has one of the arg types.
type command struct {
	tag, name string
	args      []any
	ended     bool // the last argument read the line end (MULTIAPPEND)
}

type (
	mailboxArg string
	patternArg string
	astringArg string
	atomArg    string
	seqArg     wire.SeqArg
	fetchArg   []wire.FetchItem
	storeArg   wire.Store
	statusArg  []wire.StatusItem
	searchArg  wire.Search
	sortArg    wire.Sort
	threadArg  wire.Thread
	appendArg  struct {
		wire.Append
		data  string
		parts []catPart   // CATENATE's parts (RFC 4469), when Catenate
		more  []appendArg // MULTIAPPEND's further messages (RFC 3502)
	}
	catPart struct {
		isURL bool
		text  string // the URL or the TEXT literal's data
	}
	idArg     []wire.IDParam
	listArg   wire.List
	createArg struct {
		name string
		use  []string
	}
	atomsArg []string
	// CONDSTORE (RFC 7162): present only when the command had them.
	fetchModsArg    wire.FetchModifiers
	storeModsArg    wire.StoreModifiers
	selectParamsArg bool
)

// fetchAttsMods reads FETCH's items and its optional modifiers.
func fetchAttsMods(d *wire.Decoder, c *command) bool {
	if !fetchAtts(d, c) {
		return false
	}
	if !d.SP() {
		return true
	}
	var m wire.FetchModifiers
	ok := d.ExpectFetchModifiers(&m)
	c.args = append(c.args, fetchModsArg(m))
	return ok
}

// storeMods reads STORE's optional modifiers and its flags.
func storeMods(d *wire.Decoder, c *command) bool {
	if d.Peek() == '(' {
		var m wire.StoreModifiers
		ok := d.ExpectStoreModifiers(&m)
		c.args = append(c.args, storeModsArg(m))
		if !ok || !d.ExpectSP() {
			return false
		}
	}
	return store(d, c)
}

// mailboxParams reads SELECT's mailbox and its optional parameters.
func mailboxParams(d *wire.Decoder, c *command) bool {
	if !mailbox(d, c) {
		return false
	}
	if !d.SP() {
		return true
	}
	var cs bool
	ok := d.ExpectSelectParams(&cs)
	c.args = append(c.args, selectParamsArg(cs))
	return ok
}

// argReader reads one argument type into the command.
type argReader func(d *wire.Decoder, c *command) bool

func mailbox(d *wire.Decoder, c *command) bool {
	var s string
	ok := d.ExpectMailbox(&s)
	c.args = append(c.args, mailboxArg(s))
	return ok
}

func pattern(d *wire.Decoder, c *command) bool {
	var s string
	ok := d.ExpectListMailbox(&s)
	c.args = append(c.args, patternArg(s))
	return ok
}

func astring(d *wire.Decoder, c *command) bool {
	var s string
	ok := d.ExpectAString(&s)
	c.args = append(c.args, astringArg(s))
	return ok
}

func seqSet(uid bool) argReader {
	return func(d *wire.Decoder, c *command) bool {
		var s wire.SeqArg
		ok := d.ExpectSeqArg(&s, uid)
		c.args = append(c.args, seqArg(s))
		return ok
	}
}

func fetchAtts(d *wire.Decoder, c *command) bool {
	var items []wire.FetchItem
	ok := d.ExpectFetchAtts(&items)
	c.args = append(c.args, fetchArg(items))
	return ok
}

func store(d *wire.Decoder, c *command) bool {
	var s wire.Store
	ok := d.ExpectStore(&s)
	c.args = append(c.args, storeArg(s))
	return ok
}

func statusItems(d *wire.Decoder, c *command) bool {
	var items []wire.StatusItem
	ok := d.ExpectStatusItems(&items)
	c.args = append(c.args, statusArg(items))
	return ok
}

func search(d *wire.Decoder, c *command) bool {
	var s wire.Search
	ok := d.ExpectSearch(&s)
	c.args = append(c.args, searchArg(s))
	return ok
}

func sortArgs(d *wire.Decoder, c *command) bool {
	var s wire.Sort
	ok := d.ExpectSort(&s)
	c.args = append(c.args, sortArg(s))
	return ok
}

func threadArgs(d *wire.Decoder, c *command) bool {
	var t wire.Thread
	ok := d.ExpectThread(&t)
	c.args = append(c.args, threadArg(t))
	return ok
}

// appendArgs reads APPEND's arguments and takes the message data.
func appendArgs(d *wire.Decoder, c *command) bool {
	var a wire.Append
	if !d.ExpectAppend(&a) {
		return false
	}
	first := appendArg{Append: a}
	if !appendData(d, &first) {
		return false
	}
	for {
		more := false
		if !d.ExpectAppendNext(&a, &more) {
			return false
		}
		if !more {
			c.args = append(c.args, first)
			c.ended = true
			return true
		}
		m := appendArg{Append: a}
		if !appendData(d, &m) {
			return false
		}
		first.more = append(first.more, m)
	}
}

// appendData takes one APPEND message's literal data or CATENATE parts.
func appendData(d *wire.Decoder, m *appendArg) bool {
	if !m.Catenate {
		return literalData(d, &m.data)
	}
	for more := true; more; {
		var p wire.CatPart
		if !d.ExpectCatPart(&p) {
			return false
		}
		part := catPart{isURL: p.IsURL, text: p.URL}
		if !p.IsURL && !literalData(d, &part.text) {
			return false
		}
		m.parts = append(m.parts, part)
		if !d.ExpectCatNext(&more) {
			return false
		}
	}
	return true
}

func literalData(d *wire.Decoder, s *string) bool {
	var r io.Reader
	if !d.ExpectLiteralData(&r) {
		return false
	}
	data, err := io.ReadAll(r)
	*s = string(data)
	return err == nil
}

// authenticate reads a mechanism and an optional initial response.
func authenticate(d *wire.Decoder, c *command) bool {
	var mech string
	if !d.ExpectAtom(&mech) {
		return false
	}
	c.args = append(c.args, atomArg(mech))
	if !d.SP() {
		return d.Err() == nil
	}
	var ir string
	ok := d.ExpectAtom(&ir)
	c.args = append(c.args, atomArg(ir))
	return ok
}

// idParams reads ID's parameter list (RFC 2971).
func idParams(d *wire.Decoder, c *command) bool {
	var p []wire.IDParam
	ok := d.ExpectIDParams(&p)
	c.args = append(c.args, idArg(p))
	return ok
}

// listArgs reads LIST's arguments, extended syntax included.
func listArgs(d *wire.Decoder, c *command) bool {
	var l wire.List
	ok := d.ExpectList(&l)
	c.args = append(c.args, listArg(l))
	return ok
}

// createArgs reads CREATE's mailbox and its USE parameter if any.
func createArgs(d *wire.Decoder, c *command) bool {
	var a createArg
	ok := d.ExpectMailbox(&a.name) && d.ExpectCreateParams(&a.use)
	c.args = append(c.args, a)
	return ok
}

// atoms reads atom *(SP atom), as ENABLE's capabilities.
func atoms(d *wire.Decoder, c *command) bool {
	var list []string
	for {
		var a string
		if !d.ExpectAtom(&a) {
			return false
		}
		list = append(list, a)
		if !d.SP() {
			c.args = append(c.args, atomsArg(list))
			return d.Err() == nil
		}
	}
}

// commandArgs lists each command's arguments, separated by SP.
var commandArgs = map[string][]argReader{
	"CAPABILITY": nil, "NOOP": nil, "LOGOUT": nil, "STARTTLS": nil, "CHECK": nil,
	"CLOSE": nil, "EXPUNGE": nil, "IDLE": nil, "NAMESPACE": nil, "UNSELECT": nil,
	"AUTHENTICATE": {authenticate},
	"LOGIN":        {astring, astring},
	"SELECT":       {mailboxParams}, "EXAMINE": {mailboxParams}, "CREATE": {createArgs}, "DELETE": {mailbox},
	"SUBSCRIBE": {mailbox}, "UNSUBSCRIBE": {mailbox},
	"RENAME": {mailbox, mailbox},
	"LIST":   {listArgs}, "LSUB": {mailbox, pattern},
	"ENABLE":     {atoms},
	"STATUS":     {mailbox, statusItems},
	"APPEND":     {appendArgs},
	"SEARCH":     {search},
	"FETCH":      {seqSet(false), fetchAttsMods},
	"STORE":      {seqSet(false), storeMods},
	"COPY":       {seqSet(false), mailbox},
	"MOVE":       {seqSet(false), mailbox},
	"ID":         {idParams},
	"UID SEARCH": {search},
	"UID FETCH":  {seqSet(true), fetchAttsMods},
	"UID STORE":  {seqSet(true), storeMods},
	"UID COPY":   {seqSet(true), mailbox},
	"UID MOVE":   {seqSet(true), mailbox},
	"SORT":       {sortArgs}, "UID SORT": {sortArgs},
	"THREAD": {threadArgs}, "UID THREAD": {threadArgs},
}

// readCommand reads one whole command after Next.
func readCommand(d *wire.Decoder) (command, bool) {
	var c command
	if !d.ExpectTag(&c.tag) || !d.ExpectSP() || !d.ExpectCommand(&c.name) {
		return c, false
	}
	if c.name == "UID" {
		var sub string
		if !d.ExpectSP() || !d.ExpectCommand(&sub) {
			return c, false
		}
		c.name += " " + sub
	}
	args, ok := commandArgs[c.name]
	if !ok {
		return c, false
	}
	for _, arg := range args {
		if !d.ExpectSP() || !arg(d, &c) {
			return c, false
		}
	}
	if c.ended {
		return c, true
	}
	return c, d.ExpectCRLF()
}

// writeCommand writes c back as a client would send it, literals
// synchronizing.
func writeCommand(e *wire.Encoder, c command) {
	e.Atom(c.tag).SP().Atom(c.name)
	for _, a := range c.args {
		e.SP()
		writeArg(e, a)
	}
	e.CRLF()
}

// writeMessage writes one APPEND message: flags, date, literal (a
// literal8 when it came as one).
func writeMessage(e *wire.Encoder, a appendArg) {
	if a.Flags != nil {
		e.Flags(a.Flags).SP()
	}
	if !a.Date.IsZero() {
		e.DateTime(a.Date).SP()
	}
	if a.Catenate {
		e.Atom("CATENATE (")
		for i, p := range a.parts {
			if i > 0 {
				e.SP()
			}
			if p.isURL {
				e.Atom("URL").SP().AString(p.text)
			} else {
				e.Atom("TEXT").SP().Literal(int64(len(p.text)), strings.NewReader(p.text))
			}
		}
		e.Atom(")")
		return
	}
	if a.Literal.Binary {
		e.Literal8(int64(len(a.data)), strings.NewReader(a.data))
		return
	}
	e.Literal(int64(len(a.data)), strings.NewReader(a.data))
}

func writeArg(e *wire.Encoder, a any) {
	switch a := a.(type) {
	case mailboxArg:
		e.Mailbox(string(a))
	case patternArg:
		e.Quoted(wire.EncodeMUTF7(string(a)))
	case astringArg:
		e.AString(string(a))
	case atomArg:
		e.Atom(string(a))
	case seqArg:
		e.Atom(wire.SeqArg(a).String())
	case fetchArg:
		e.List(len(a), func(i int) { e.Atom(a[i].String()) })
	case storeArg:
		e.Atom(wire.Store(a).String())
	case statusArg:
		e.List(len(a), func(i int) { e.Atom(string(a[i])) })
	case searchArg:
		e.Atom(wire.Search(a).String())
	case sortArg:
		e.Atom(wire.Sort(a).String())
	case threadArg:
		e.Atom(wire.Thread(a).String())
	case appendArg:
		e.Mailbox(a.Mailbox).SP()
		writeMessage(e, a)
		for _, m := range a.more {
			e.SP()
			writeMessage(e, m)
		}
	case listArg:
		e.Atom(wire.List(a).String())
	case createArg:
		e.Mailbox(a.name)
		if a.use != nil {
			e.Atom(" (USE ").Flags(a.use).Atom(")")
		}
	case atomsArg:
		e.Atom(strings.Join(a, " "))
	case fetchModsArg:
		e.Atom("(CHANGEDSINCE ").Number64(a.ChangedSince).Atom(")")
	case storeModsArg:
		e.Atom("(UNCHANGEDSINCE ").Number64(a.UnchangedSince).Atom(")")
	case selectParamsArg:
		e.Atom("(CONDSTORE)")
	case idArg:
		if a == nil {
			e.NIL()
			return
		}
		if len(a) == 0 {
			e.Atom("()")
			return
		}
		e.List(len(a), func(i int) {
			e.String(a[i].Field).SP()
			if a[i].Nil {
				e.NIL()
			} else {
				e.String(a[i].Value)
			}
		})
	default:
		panic(fmt.Sprintf("writeArg: %T", a)) // test bug, not input
	}
}
