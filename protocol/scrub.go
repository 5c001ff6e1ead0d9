package protocol

import "regexp"

// absPath is an absolute path of two or more elements in an error text:
// a name-space path (/mail/box/<user>/..., /mail/fs/<box>/...) or a
// host path that slipped through.
var absPath = regexp.MustCompile(`(^|[\s("'])/(?:[^\s:/"')]+/)+([^\s:/"')]*)`)

// Scrub makes an error text fit for a client: every absolute path in it
// becomes its last element ("stat /mail/box/alice/evil: permission
// denied" becomes "stat evil: permission denied"), so replies show
// neither the session's name space nor the host's directories. The
// servers pass every NO, BAD and -ERR text through it.
func Scrub(text string) string {
	return absPath.ReplaceAllString(text, "$1$2")
}
