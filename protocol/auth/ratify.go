package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
)

// Ratify lets addr relay mail through SMTP after a successful login, as
// 4e pop3 and imap4d do through ratfs(4) (spec §3.1, §2.12): it removes
// and re-creates the empty file <dir>/trusted/<addr>#32 (#128 for IPv6),
// so the file's time is fresh. An IPv4-mapped IPv6 address counts as
// IPv4 and an IPv6 zone is dropped. The directory <dir>/trusted must
// exist. The file is created mode 0666 (less the umask) as in 4e.
func Ratify(dir string, addr netip.Addr) error {
	if !addr.IsValid() {
		return errors.New("ratify: no address")
	}
	addr = addr.Unmap().WithZone("")
	name := fmt.Sprintf("%s#%d", addr, addr.BitLen())
	path := filepath.Join(dir, "trusted", name)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ratify: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("ratify: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("ratify: %w", err)
	}
	return nil
}
