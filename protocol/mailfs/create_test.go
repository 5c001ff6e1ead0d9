package mailfs

import (
	"testing"

	"9fans.net/go/plan9"
)

// TestCreatePerm checks create(5)'s rule: a file's bits are masked by
// the directory's read/write bits, a directory's by all nine.
func TestCreatePerm(t *testing.T) {
	for _, c := range []struct{ dir, perm, want plan9.Perm }{
		{plan9.DMDIR | 0700, 0664, 0600},
		{plan9.DMDIR | 0775, 0664, 0664},
		{plan9.DMDIR | 0777, 0600, 0600},
		{plan9.DMDIR | 0750, 0666, 0640},
		{plan9.DMDIR | 0700, plan9.DMEXCL | 0666, plan9.DMEXCL | 0600},
		{plan9.DMDIR | 0700, plan9.DMDIR | 0775, plan9.DMDIR | 0700},
		{plan9.DMDIR | 0751, plan9.DMDIR | 0775, plan9.DMDIR | 0751},
		{plan9.DMDIR | 0711, 0777, 0711}, // execute bits are not masked for a file
	} {
		if got := CreatePerm(c.dir, c.perm); got != c.want {
			t.Errorf("CreatePerm(%#o, %#o) = %#o, want %#o", c.dir, c.perm, got, c.want)
		}
	}
}
