package imap

import (
	"p9mail/protocol/imap/wire"
	"strings"
)

// capabilities lists what the server offers now (RFC 3501 §6.1.1).
func (s *session) capabilities() []string {
	caps := []string{"IMAP4rev1"}
	if l := s.literalCap(); l != "" {
		caps = append(caps, l)
	}
	caps = append(caps, "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "ID")
	// Session and listing extensions (enable.go, listext.go, specialuse.go, status.go).
	caps = append(caps, "ENABLE", "SASL-IR", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS",
		"SPECIAL-USE", "CREATE-SPECIAL-USE", s.appendLimitCap(), "STATUS=SIZE")
	caps = append(caps, "ESEARCH", "SEARCHRES", "WITHIN", "CONTEXT=SEARCH") // esearch.go, searchres.go, context.go
	if s.state != notAuthenticated {
		caps = append(caps, sortCapabilities...) // sort.go
	}
	if s.state != notAuthenticated { // esort.go: ESORT, CONTEXT=SORT (RFC 5267)
		caps = append(caps, esortCapabilities...)
	}
	caps = append(caps, "BINARY", "MULTIAPPEND")   // binary.go, append.go (RFC 3516, RFC 3502)
	caps = append(caps, "CATENATE", "URL-PARTIAL") // catenate.go (RFC 4469, RFC 5550)
	caps = append(caps, "CONDSTORE")               // condstore.go (RFC 7162 §3.1)
	if s.state != notAuthenticated {
		caps = append(caps, "COMPRESS=DEFLATE") // compress.go (RFC 4978)
	}
	if s.state == notAuthenticated {
		if s.cfg.TLS != nil && !s.tls {
			caps = append(caps, "STARTTLS")
		}
		caps = append(caps, "AUTH=CRAM-MD5")
		if s.plainAllowed() {
			caps = append(caps, "AUTH=PLAIN", "AUTH=LOGIN")
		} else if !s.cfg.P9CR {
			caps = append(caps, "LOGINDISABLED")
		}
	}
	return caps
}

// literalMinus is RFC 7888 §4's bound on a non-synchronizing literal
// under LITERAL-.
const literalMinus = 4096

// literalCap is LITERAL+ once authenticated, and LITERAL- before (RFC
// 7888 §4, §6): there a literal may not exceed MaxPreauthLiteral (4
// KiB by default), and a non-synchronizing one not 4096 octets (BAD
// [TOOBIG], then BYE). The two are never announced together. A
// MaxPreauthLiteral below 4096 leaves both out before authentication.
func (s *session) literalCap() string {
	if s.state == notAuthenticated {
		if min(s.cfg.MaxLiteral, s.cfg.MaxPreauthLiteral) < literalMinus {
			return ""
		}
		return "LITERAL-"
	}
	return "LITERAL+"
}

func (s *session) capability(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	s.enc.Atom("* CAPABILITY ").Atom(strings.Join(s.capabilities(), " ")).CRLF()
	s.tagged(tag, "OK", "", "CAPABILITY completed")
	return nil
}

func (s *session) noop(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if s.sel != nil {
		s.update(true)
	}
	s.ratify()
	return nil
}

// idCmd answers ID (RFC 2971) with the server's name only, and logs what
// the client says of itself.
func (s *session) idCmd(tag, cmd string) error {
	var params []wire.IDParam
	if !s.dec.ExpectSP() || !s.dec.ExpectIDParams(&params) || !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	if len(params) > 0 {
		args := []any{"peer", s.peer}
		for _, p := range params {
			args = append(args, "client."+p.Field, p.Value)
		}
		s.cfg.Log.Info("imap id", args...)
	}
	s.enc.Atom(`* ID ("name" "p9mail imap4d")`).CRLF()
	s.tagged(tag, "OK", "", "ID completed")
	return nil
}

// logout never expunges (decision 12).
func (s *session) logout(tag, cmd string) error {
	if !s.dec.ExpectCRLF() {
		return s.parseError(cmd)
	}
	s.untagged("BYE", "", "logging out")
	s.tagged(tag, "OK", "", "LOGOUT completed")
	s.state = logout
	return nil
}
