// Package demo makes a small mail root with sample mail, so that each
// server starts with no setup ("go run ./cmd/...").
package demo

import (
	_ "embed"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
)

//go:embed mbox
var sample []byte

// Users are the demo root's users besides the login name of whoever
// runs it. Their secret (password) is Secret.
var Users = []string{"glenda"}

// Secret is the demo users' APOP/POP secret.
const Secret = "demo-secret"

// Root creates a fresh mail root in a temporary directory: for each
// user, box/<user>/mbox with the sample mail and keys/<user>/secret.
// It returns the root and the user names.
func Root() (string, []string, error) {
	dir, err := os.MkdirTemp("", "p9mail-demo-")
	if err != nil {
		return "", nil, err
	}
	users := append([]string(nil), Users...)
	if u, err := user.Current(); err == nil && u.Username != "" && !slices.Contains(users, u.Username) {
		users = append(users, u.Username)
	}
	for _, u := range users {
		box := filepath.Join(dir, "box", u)
		keys := filepath.Join(dir, "keys", u)
		if err := os.MkdirAll(box, 0700); err != nil {
			return "", nil, err
		}
		if err := os.MkdirAll(keys, 0700); err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(filepath.Join(box, "mbox"), sample, 0600); err != nil {
			return "", nil, fmt.Errorf("demo: %w", err)
		}
		if err := os.WriteFile(filepath.Join(keys, "secret"), []byte(Secret), 0600); err != nil {
			return "", nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "keys"), 0700); err != nil {
		return "", nil, err
	}
	return dir, users, nil
}
