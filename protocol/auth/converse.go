package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// maxSteps bounds the challenges of one exchange; ours need at most two.
const maxSteps = 8

// EncodeChallenge returns a server challenge as it goes on the wire after
// "+ " in IMAP (RFC 3501 §7.5) and POP3 AUTH (RFC 5034 §4): base64.
func EncodeChallenge(challenge []byte) string {
	return base64.StdEncoding.EncodeToString(challenge)
}

// DecodeResponse decodes a client's continuation line (without its line
// end): "*" is ErrCancelled (RFC 3501 §6.2.2, RFC 5034 §4), bad base64
// is ErrMalformed, an empty line an empty response.
func DecodeResponse(line string) ([]byte, error) {
	line = strings.TrimRight(line, "\r\n")
	if line == "*" {
		return nil, ErrCancelled
	}
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", ErrMalformed, err)
	}
	return b, nil
}

// DecodeInitial decodes an initial response given on the command line
// (IMAP SASL-IR, RFC 4959 §3; POP3 AUTH, RFC 5034 §4): "=" is an empty
// response, otherwise as DecodeResponse.
func DecodeInitial(arg string) ([]byte, error) {
	if arg == "=" {
		return []byte{}, nil
	}
	return DecodeResponse(arg)
}

// Converse runs one SASL exchange (RFC 4422 §3) with s over a line
// protocol: initial is the decoded initial response or nil for none;
// send writes a base64 challenge (the caller adds "+ " and the line end);
// recv reads the client's next line without its line end. It returns nil
// on success, ErrCancelled if the client sent "*", or the mechanism's or
// the transport's error. It never writes the final OK or NO.
func Converse(s sasl.Server, initial []byte, send func(challenge string) error, recv func() (string, error)) error {
	response := initial
	for range maxSteps {
		challenge, done, err := s.Next(response)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if err := send(EncodeChallenge(challenge)); err != nil {
			return fmt.Errorf("auth: send challenge: %w", err)
		}
		line, err := recv()
		if err != nil {
			return fmt.Errorf("auth: read response: %w", err)
		}
		if response, err = DecodeResponse(line); err != nil {
			return err
		}
	}
	return errors.New("auth: SASL exchange too long")
}
