package imap

import (
	"errors"
	"io/fs"
	"strings"

	"p9mail/ninep"
)

// A replyError is a command's failure as its tagged reply (RFC 3501
// §7.1): NO or BAD, a response code (without brackets, "" for none)
// and the text. Handlers return one; dispatch sends it.
type replyError struct {
	status, code, text string
}

func (e *replyError) Error() string { return e.status + " " + e.text }

// no is a NO reply: the command was understood but failed.
func no(code, text string) error { return &replyError{"NO", code, text} }

// bad is a BAD reply: the command was malformed or not allowed now.
func bad(code, text string) error { return &replyError{"BAD", code, text} }

// errNoReply ends a command without a tagged reply: its connection
// failed, or the session is over with nobody to answer.
var errNoReply = errors.New("no reply")

// reply turns a handler's result into its tagged reply: nothing more
// when the handler sent it (an OK with a response code) or there is
// nobody to answer, "tag OK cmd completed" for nil, the reply an error
// stands for, and NO "cmd failed: ..." for any other error (scrubbed of
// paths by tagged).
func (s *session) reply(tag, cmd string, err error) {
	var re *replyError
	switch {
	case errors.Is(err, errNoReply) || s.replied:
	case err == nil:
		s.tagged(tag, "OK", "", cmd+" completed")
	case errors.As(err, &re):
		s.tagged(tag, re.status, re.code, re.text)
	default:
		s.tagged(tag, "NO", "", cmd+" failed: "+err.Error())
	}
}

// storeError is the NO of a command whose operation on the mail
// directory failed (what: "cannot create mailbox", ...), with the
// RFC 5530 response code that says why: CANNOT for a name the server
// never accepts, NOPERM, NONEXISTENT, ALREADYEXISTS, INUSE (an
// exclusive-use file another holds); none when the cause is unknown
// (a upasfs that went away ends the session with BYE [UNAVAILABLE]).
func storeError(cmd, what string, err error) error {
	code := ""
	switch {
	case errors.Is(err, errBadName):
		code = "CANNOT"
	case ninep.IsPermission(err):
		code = "NOPERM"
	case ninep.IsNotExist(err):
		code = "NONEXISTENT"
	case errors.Is(err, fs.ErrExist) || strings.Contains(strings.ToLower(err.Error()), "already exists"):
		code = "ALREADYEXISTS"
	case ninep.IsLocked(err):
		code = "INUSE"
	}
	return no(code, cmd+" "+what+": "+err.Error())
}
