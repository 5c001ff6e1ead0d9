package auth

import (
	"fmt"

	"github.com/emersion/go-sasl"
)

// The LOGIN mechanism's prompts (draft-murchison-sasl-login §2), sent
// exactly; the protocol layer base64-encodes them.
const (
	loginUserPrompt = "Username:"
	loginPassPrompt = "Password:"
)

// NewLoginServer returns a server for the de-facto LOGIN mechanism
// (draft-murchison-sasl-login): it challenges "Username:" and then
// "Password:", and checks the pair with k.CheckPassword. A non-empty
// initial response is taken as the user name (the first prompt is then
// skipped); an empty one counts as none. done, if not nil, is called
// once with the user on success.
func NewLoginServer(k *Keys, done func(user string)) sasl.Server {
	return &loginServer{k: k, done: done}
}

type loginServer struct {
	k    *Keys
	done func(string)
	step int // 0 start, 1 want user, 2 want password, 3 finished
	user string
}

func (s *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		if len(response) == 0 {
			s.step = 1
			return []byte(loginUserPrompt), false, nil
		}
		s.user, s.step = string(response), 2
		return []byte(loginPassPrompt), false, nil
	case 1:
		s.user, s.step = string(response), 2
		return []byte(loginPassPrompt), false, nil
	case 2:
		s.step = 3
		if err := s.k.CheckPassword(s.user, string(response)); err != nil {
			return nil, true, err
		}
		if s.done != nil {
			s.done(s.user)
		}
		return nil, true, nil
	}
	return nil, true, fmt.Errorf("%w: LOGIN: %w", ErrMalformed, sasl.ErrUnexpectedClientResponse)
}
