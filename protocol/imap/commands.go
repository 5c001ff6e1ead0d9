package imap

// A command is an entry of the dispatch table: the states it is
// allowed in (RFC 3501 §6) and its handler. A handler reads its
// arguments (after the command name) with s.dec, sends its untagged
// responses, and returns nil for "OK <cmd> completed" (or after sending
// an OK with a response code itself) or an error for its tagged NO or
// BAD (errors.go).
type command struct {
	states []state
	run    func(s *session, tag, cmd string) error
}

var (
	anyState = []state{notAuthenticated, authenticated, selected}
	authed   = []state{authenticated, selected}
	sel      = []state{selected}
)

// commands is every command the server knows, with the file it lives
// in. The capabilities announced for them are in capability.go.
var commands = map[string]command{
	// any.go (RFC 3501 §6.1, RFC 2971)
	"CAPABILITY": {anyState, (*session).capability},
	"NOOP":       {anyState, (*session).noop},
	"LOGOUT":     {anyState, (*session).logout},
	"ID":         {anyState, (*session).idCmd},
	// enable.go (RFC 5161)
	"ENABLE": {[]state{authenticated}, (*session).enable},
	// auth.go (RFC 3501 §6.2, RFC 4959)
	"STARTTLS":     {[]state{notAuthenticated}, (*session).starttls},
	"LOGIN":        {[]state{notAuthenticated}, (*session).loginCmd},
	"AUTHENTICATE": {[]state{notAuthenticated}, (*session).authenticate},
	// select.go, close.go (RFC 3501 §6.3.1-2, §6.4.2, RFC 3691)
	"SELECT":   {authed, (*session).selectCmd},
	"EXAMINE":  {authed, (*session).selectCmd},
	"CLOSE":    {sel, (*session).closeCmd},
	"UNSELECT": {sel, (*session).closeCmd},
	"CHECK":    {sel, (*session).noop},
	// expunge.go (RFC 3501 §6.4.3)
	"EXPUNGE": {sel, (*session).expunge},
	// list.go, subscribe.go, namespace.go, status.go (RFC 3501 §6.3.6-10, RFC 2342)
	"LIST":        {authed, (*session).listCmd}, // listext.go
	"LSUB":        {authed, (*session).list},
	"SUBSCRIBE":   {authed, (*session).subscribe},
	"UNSUBSCRIBE": {authed, (*session).subscribe},
	"NAMESPACE":   {authed, (*session).namespace},
	"STATUS":      {authed, (*session).status},
	// create.go, delete.go, rename.go (RFC 3501 §6.3.3-5)
	"CREATE": {authed, (*session).create},
	"DELETE": {authed, (*session).deleteCmd},
	"RENAME": {authed, (*session).rename},
	// append.go (RFC 3501 §6.3.11, RFC 4315)
	"APPEND": {authed, (*session).appendCmd},
	// compress.go (RFC 4978)
	"COMPRESS": {authed, (*session).compress},
	// idle.go (RFC 2177)
	"IDLE": {authed, (*session).idle},
	// fetch.go, store.go, search.go, copy.go, move.go, uid.go
	// (RFC 3501 §6.4.4-8, RFC 6851)
	"FETCH":  {sel, func(s *session, tag, cmd string) error { return s.fetch(tag, cmd, false) }},
	"STORE":  {sel, func(s *session, tag, cmd string) error { return s.store(tag, cmd, false) }},
	"SEARCH": {sel, func(s *session, tag, cmd string) error { return s.search(tag, cmd, false) }},
	"COPY":   {sel, func(s *session, tag, cmd string) error { return s.copyMsgs(tag, cmd, false) }},
	"MOVE":   {sel, func(s *session, tag, cmd string) error { return s.moveMsgs(tag, cmd, false) }},
	"UID":    {sel, (*session).uidCmd},
	// context.go (RFC 5267 §4.3.5)
	"CANCELUPDATE": {sel, (*session).cancelUpdate},
	// sort.go, thread.go (RFC 5256, RFC 5957)
	"SORT":   {sel, func(s *session, tag, cmd string) error { return s.sortCmd(tag, cmd, false) }},
	"THREAD": {sel, func(s *session, tag, cmd string) error { return s.threadCmd(tag, cmd, false) }},
}

// uidCommands are the commands UID takes (RFC 3501 §6.4.8, RFC 4315
// §2.1, RFC 6851 §3.3), with the UID form's name.
var uidCommands = map[string]func(s *session, tag, cmd string) error{
	"FETCH":   func(s *session, tag, cmd string) error { return s.fetch(tag, cmd, true) },
	"STORE":   func(s *session, tag, cmd string) error { return s.store(tag, cmd, true) },
	"SEARCH":  func(s *session, tag, cmd string) error { return s.search(tag, cmd, true) },
	"COPY":    func(s *session, tag, cmd string) error { return s.copyMsgs(tag, cmd, true) },
	"MOVE":    func(s *session, tag, cmd string) error { return s.moveMsgs(tag, cmd, true) },
	"EXPUNGE": (*session).uidExpunge,
	"SORT":    func(s *session, tag, cmd string) error { return s.sortCmd(tag, cmd, true) },
	"THREAD":  func(s *session, tag, cmd string) error { return s.threadCmd(tag, cmd, true) },
}
