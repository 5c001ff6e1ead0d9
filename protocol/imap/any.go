package imap

import (
	"p9mail/protocol/imap/wire"
	"strings"
)

// capabilities lists what the server offers now (RFC 3501 §6.1.1).
func (s *session) capabilities() []string {
	caps := []string{"IMAP4rev1", "LITERAL+", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "ID"}
	caps = append(caps, "BINARY", "MULTIAPPEND") // binary.go, append.go (RFC 3516, RFC 3502)
	// COMPRESS (compress.go) is not announced: see there.
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
