package message

import "testing"

// TestParseAddressList checks address lists against their IMAP form
// (RFC 3501 §7.4.2), written by hand.
func TestParseAddressList(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@example.com", `((NIL NIL "alice" "example.com"))`},
		{"Alice Example <alice@example.com>", `(("Alice Example" NIL "alice" "example.com"))`},
		{`"Smith, John" <john@example.com>, b@c`, `(("Smith, John" NIL "john" "example.com")(NIL NIL "b" "c"))`},
		{`"a \"q\" b" <x@y>`, `(("a \"q\" b" NIL "x" "y"))`},
		{"=?UTF-8?B?QmrDtnJu?= <bob@example.com>", `(("=?UTF-8?B?QmrDtnJu?=" NIL "bob" "example.com"))`},
		{"bob@example.com (Bob Smith)", `(("Bob Smith" NIL "bob" "example.com"))`},
		{"(c) Bob (x) <bob (y) @ (z) example.com>", `(("Bob" NIL "bob" "example.com"))`},
		{`"john doe"@example.com`, `((NIL NIL "\"john doe\"" "example.com"))`},
		{"x@[127.0.0.1]", `((NIL NIL "x" "[127.0.0.1]"))`},
		{"<@a.example,@b.example:x@c.example>", `((NIL "@a.example,@b.example" "x" "c.example"))`},
		{"Group: a@b, C <c@d>;", `((NIL NIL "Group" NIL)(NIL NIL "a" "b")("C" NIL "c" "d")(NIL NIL NIL NIL))`},
		{"undisclosed-recipients:;", `((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))`},
		{"G: a@b", `((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL))`},
		{"G: a@b; c@d", `((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL)(NIL NIL "c" "d"))`},
		{"postmaster", `((NIL NIL "postmaster" "MISSING_DOMAIN"))`},
		{"), x]@y", `((NIL NIL ")" "MISSING_DOMAIN")(NIL NIL "x]" "y"))`},
		{"a@b,,, ,c@d", `((NIL NIL "a" "b")(NIL NIL "c" "d"))`},
		{"<>", `((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"", `NIL`},
		{"Name Only <>", `(("Name Only" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"Postmaster <>, b@c", `(("Postmaster" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "b" "c"))`},
		{"vondruch at redhat.com", `(("vondruch at redhat.com" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{`"Just Name"`, `(("Just Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"mailer-daemon.local", `((NIL NIL "mailer-daemon.local" "MISSING_DOMAIN"))`},
		{"x@", `((NIL NIL "x" "MISSING_DOMAIN"))`},
		{"@y", `((NIL NIL "MISSING_MAILBOX" "y"))`},
		{"<@route.example:>", `((NIL "@route.example" "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"; > : x@y", `((NIL NIL "" NIL)(NIL NIL "x" "y")(NIL NIL NIL NIL))`},
		{"a@b c@d, e@f", `((NIL NIL "a" "b")(NIL NIL "e" "f"))`},
		{"john . doe @ example . com", `((NIL NIL "john.doe" "example.com"))`},
		{"Bob Smith bob@example.com", `(("Bob Smith" NIL "bob" "example.com"))`},
		{"<a@b", `((NIL NIL "a" "b"))`},
		{`"unterminated <a@b>`, `(("unterminated <a@b>" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"a@b.example (unterminated", `((NIL NIL "a" "b.example"))`},
		{"caf\xe9 <c@d>", "((" + "{4}\r\ncaf\xe9" + ` NIL "c" "d"))`},
		{"G: H: a@b;", `((NIL NIL "G" NIL)(NIL NIL "H" "MISSING_DOMAIN")(NIL NIL NIL NIL))`},
	}
	for _, tt := range tests {
		got := string(appendAddressList(nil, ParseAddressList(tt.in)))
		if got != tt.want {
			t.Errorf("ParseAddressList(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestEnvelopeDefaults: Sender and Reply-To default to From (RFC 3501
// §7.4.2), nothing else is made up (decision 5).
func TestEnvelopeDefaults(t *testing.T) {
	tests := []struct{ hdr, want string }{
		{"From: a@b\nReply-To:\nSender: \n", `(NIL NIL ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) ((NIL NIL "a" "b")) NIL NIL NIL NIL NIL)`},
		{"Sender: s@b\n", `(NIL NIL NIL ((NIL NIL "s" "b")) NIL NIL NIL NIL NIL NIL)`},
		{"To: a@b\nto: c@d\nSubject: one\nSubject: two\nDate: x\n", `("x" "one" NIL NIL NIL ((NIL NIL "a" "b")(NIL NIL "c" "d")) NIL NIL NIL NIL)`},
		{"Subject: folded\n  line\nIn-Reply-To: <a@b>\n", `(NIL "folded  line" NIL NIL NIL NIL NIL NIL "<a@b>" NIL)`},
		{"Subject: back\\slash \"q\"\n", `(NIL "back\\slash \"q\"" NIL NIL NIL NIL NIL NIL NIL NIL)`},
	}
	for _, tt := range tests {
		got := string(newEnvelope(parseFields([]byte(tt.hdr))).Append(nil))
		if got != tt.want {
			t.Errorf("%q\n got %s\nwant %s", tt.hdr, got, tt.want)
		}
	}
}
