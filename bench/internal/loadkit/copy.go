package loadkit

import (
	"fmt"
	"io"
	"os"
)

// CopyFile replaces dst by a copy of src, renamed into place (a new
// inode, as a delivery program's rewrite would leave it).
func CopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy mailbox: %w", err)
	}
	defer in.Close()
	out, err := os.Create(dst + ".new")
	if err != nil {
		return fmt.Errorf("copy mailbox: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy mailbox: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy mailbox: %w", err)
	}
	if err := os.Rename(dst+".new", dst); err != nil {
		return fmt.Errorf("copy mailbox: %w", err)
	}
	return nil
}
