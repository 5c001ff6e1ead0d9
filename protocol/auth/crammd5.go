package auth

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-sasl"
)

// NewCRAMMD5Server returns a CRAM-MD5 (RFC 2195) server. Its first
// challenge is challenge (make one with NewChallenge); the client's
// response is "<user> <32 hex digits>", checked with k.CheckCRAM. The
// user name ends at the last space (imap4d splits at the first; ours
// also admits names with spaces). CRAM-MD5 is server-first (RFC 4422
// §5): a non-empty initial response is ErrMalformed, an empty one counts
// as none. A response without a space is ErrMalformed (imap4d then says
// "bad auth response"). done, if not nil, is called once with the user
// on success.
func NewCRAMMD5Server(k *Keys, challenge string, done func(user string)) sasl.Server {
	return &cramServer{k: k, challenge: challenge, done: done}
}

type cramServer struct {
	k         *Keys
	challenge string
	done      func(string)
	step      int // 0 start, 1 want response, 2 finished
}

func (s *cramServer) Next(response []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		if len(response) != 0 {
			s.step = 2
			return nil, true, fmt.Errorf("%w: CRAM-MD5 takes no initial response", ErrMalformed)
		}
		s.step = 1
		return []byte(s.challenge), false, nil
	case 1:
		s.step = 2
		i := bytes.LastIndexByte(response, ' ')
		if i < 0 {
			return nil, true, fmt.Errorf("%w: CRAM-MD5 response has no space", ErrMalformed)
		}
		user := string(response[:i])
		if err := s.k.CheckCRAM(user, s.challenge, string(response[i+1:])); err != nil {
			return nil, true, err
		}
		if s.done != nil {
			s.done(user)
		}
		return nil, true, nil
	}
	return nil, true, fmt.Errorf("%w: CRAM-MD5: %w", ErrMalformed, sasl.ErrUnexpectedClientResponse)
}
