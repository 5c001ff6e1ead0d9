package auth

import (
	"fmt"

	"github.com/emersion/go-sasl"
)

// NewPlainServer returns a PLAIN (RFC 4616) server checking the password
// with k.CheckPassword. The authorization identity must be empty or equal
// to the user (ErrNotAuthorized). done, if not nil, is called once with
// the user on success. Without an initial response the first challenge
// is empty. Errors that are not a failed check wrap ErrMalformed.
func NewPlainServer(k *Keys, done func(user string)) sasl.Server {
	p := &plainServer{}
	p.inner = sasl.NewPlainServer(func(authzid, user, password string) error {
		p.checked = true
		if authzid != "" && authzid != user {
			return fmt.Errorf("%w: %q for %q", ErrNotAuthorized, authzid, user)
		}
		if err := k.CheckPassword(user, password); err != nil {
			return err
		}
		if done != nil {
			done(user)
		}
		return nil
	})
	return p
}

// plainServer tells go-sasl's own errors (syntax, sequence) from ours.
type plainServer struct {
	inner   sasl.Server
	checked bool // the authenticator ran, so an error is a check's
}

func (p *plainServer) Next(response []byte) ([]byte, bool, error) {
	ranBefore := p.checked
	challenge, done, err := p.inner.Next(response)
	switch {
	case err == nil:
		return challenge, done, nil
	case p.checked && !ranBefore: // the check itself failed
		return nil, true, err
	default: // go-sasl refused the message or its order
		return nil, true, fmt.Errorf("%w: PLAIN: %w", ErrMalformed, err)
	}
}
