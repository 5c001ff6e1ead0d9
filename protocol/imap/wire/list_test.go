package wire_test

import (
	"fmt"
	"testing"

	"p9mail/protocol/imap/wire"
)

func TestListArgs(t *testing.T) {
	runParse(t, []parseCase{
		// RFC 3501 §6.3.8: the plain form.
		{"\"\" %\r\n", `"" "%" {false [] [%] false [] []}`},
		{"~/Mail/ foo/*\r\n", `"~/Mail/" "foo/*" {false [] [foo/*] false [] []}`},
		// RFC 5258 §6 examples.
		{"(SUBSCRIBED) \"\" \"*\"\r\n", `(SUBSCRIBED) "" "*" {true [SUBSCRIBED] [*] false [] []}`},
		{"(SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n",
			`(SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN) {true [SUBSCRIBED RECURSIVEMATCH] [%] false [CHILDREN] []}`},
		{"\"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n", `"" ("INBOX" "Drafts" "Sent/%") {true [] [INBOX Drafts Sent/%] true [] []}`},
		{"() \"\" % return ()\r\n", `() "" "%" RETURN () {true [] [%] false [] []}`},
		// RFC 5819 §5, RFC 6154 §6.
		{"\"\" % RETURN (STATUS (MESSAGES UNSEEN) children)\r\n",
			`"" "%" RETURN (STATUS (MESSAGES UNSEEN) CHILDREN) {true [] [%] false [STATUS CHILDREN] [MESSAGES UNSEEN]}`},
		{"(SPECIAL-USE RECURSIVEMATCH) \"\" * RETURN (SPECIAL-USE)\r\n",
			`(SPECIAL-USE RECURSIVEMATCH) "" "*" RETURN (SPECIAL-USE) {true [SPECIAL-USE RECURSIVEMATCH] [*] false [SPECIAL-USE] []}`},
		{"(RECURSIVEMATCH) \"\" %\r\n", "error: RECURSIVEMATCH without a base selection option"},
		{"(RECURSIVEMATCH REMOTE) \"\" %\r\n", "error: RECURSIVEMATCH without a base selection option"},
		{"(IMAPTEST) \"\" %\r\n", `error: unknown LIST selection option "IMAPTEST"`},
		{"\"\" % RETURN (IMAPTEST)\r\n", `error: unknown LIST return option "IMAPTEST"`},
		{"\"\" % RETURN (STATUS (SIZE) STATUS (UNSEEN))\r\n", "error: STATUS return option twice"},
		{"\"\" % RETURN (STATUS)\r\n", "error: expected SP"},
		{"\"\" % AFTER ()\r\n", `error: expected RETURN, not "AFTER"`},
		{"\"\" ()\r\n", "error: expected mailbox pattern"},
		{"\"\" (a\r\n", "error: expected SP"},
	}, func(d *wire.Decoder) (string, bool) {
		var l wire.List
		ok := d.ExpectList(&l)
		return fmt.Sprintf("%s {%v %v %v %v %v %v}", l, l.Extended, l.Selection, l.Patterns, l.Multi, l.Return, l.Status), ok
	})
}

func TestCreateParams(t *testing.T) {
	runParse(t, []parseCase{
		{"\r\n", "[] false"},
		{" (USE (\\Sent \\Drafts))\r\n", "[\\Sent \\Drafts] true"},
		{" (use ())\r\n", "[] true"},
		{" (USE \\Sent)\r\n", `error: expected "(" to start flag list`},
		{" (COLOR (red))\r\n", `error: unknown CREATE parameter "COLOR"`},
		{" (USE (\\Sent)\r\n", `error: expected ")" to end CREATE parameters`},
	}, func(d *wire.Decoder) (string, bool) {
		var use []string
		ok := d.ExpectCreateParams(&use)
		return fmt.Sprintf("%v %v", use, use != nil), ok
	})
}
