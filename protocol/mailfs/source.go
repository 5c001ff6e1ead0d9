// Package mailfs builds the name space an authenticated POP3 or IMAP
// session works in, as Plan 9's servers do after newns (spec §2.1,
// §3.2): /mail/fs is a upasfs attached as the user, and
// /mail/box/<user> is the user's mail directory. Either comes from a
// running upasfs (9P) or from the in-process emulator and the host
// directory.
package mailfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"p9mail/ninep"
	"p9mail/upasfs/server"
)

// Where the trees are bound in a session's name space.
const (
	FSDir  = "/mail/fs"
	BoxDir = "/mail/box"
)

// A Source gives each session its name space.
type Source struct {
	// Addr is a running upasfs to attach to as the user (-fs). Empty
	// means the emulator runs in this process over Root.
	Addr string
	// Root is the mail root holding box/<user>/. With Addr set it may be
	// empty: the mail directory then comes from Addr's "box" attach
	// (our emulator's extension); with both set it is the host directory.
	Root string
	// Key, when set, is the shared key the attaches to Addr
	// authenticate with (-authkey; ninep.AttachKey). Leave it nil for a
	// upasfs that does not authenticate, such as plan9port's.
	Key []byte
	// Index is the in-process emulator's index directory
	// (server.Config.Index); empty keeps none. Unused with Addr.
	Index string

	once sync.Once
	srv  *server.Server
	err  error
}

// emulator returns the in-process emulator, started on first use.
func (s *Source) emulator() (*server.Server, error) {
	s.once.Do(func() {
		if s.Root == "" {
			s.err = errors.New("mailfs: no mail root and no upasfs address")
			return
		}
		s.srv, s.err = server.New(server.Config{Root: s.Root, NoOpen: true, Index: s.Index})
	})
	return s.srv, s.err
}

// Check reports whether the source can serve at all, for start-up.
func (s *Source) Check() error {
	if s.Addr != "" {
		return nil
	}
	if s.Key != nil {
		return errors.New("mailfs: an auth key is for a upasfs at an address (-fs)")
	}
	if _, err := s.emulator(); err != nil {
		return err
	}
	st, err := os.Stat(filepath.Join(s.Root, "box"))
	if err != nil {
		return fmt.Errorf("mail root: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("mail root: %s/box is not a directory", s.Root)
	}
	return nil
}

// ValidUser reports whether name can be a user (a single path element).
func ValidUser(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= 64 &&
		!strings.ContainsAny(name, "/\\\x00\r\n\t ")
}

// Namespace returns user's name space. The caller closes it.
func (s *Source) Namespace(user string) (*ninep.NS, error) {
	if !ValidUser(user) {
		return nil, errors.New("bad user name")
	}
	fs, err := s.attach(user, "")
	if err != nil {
		return nil, err
	}
	box, err := s.box(user)
	if err != nil {
		fs.Close()
		return nil, err
	}
	ns := ninep.NewNS()
	ns.Bind(FSDir, fs)
	ns.Bind(BoxDir+"/"+user, box)
	return ns, nil
}

// attach attaches to the upasfs: over 9P to Addr, or to the in-process
// emulator over a pipe.
func (s *Source) attach(user, aname string) (ninep.FS, error) {
	if s.Addr != "" {
		return ninep.MountKey(s.Addr, user, aname, s.Key)
	}
	srv, err := s.emulator()
	if err != nil {
		return nil, err
	}
	c1, c2 := ninep.Pipe()
	go ninep.ServeConn(c1, srv.Srv9p(nil))
	return ninep.Attach(c2, user, aname)
}

func (s *Source) box(user string) (ninep.FS, error) {
	if s.Root != "" {
		dir := filepath.Join(s.Root, "box", user)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("no mail directory for %s", user)
		}
		return ninep.LocalWith(dir, server.BoxOptions())
	}
	return s.attach(user, "box")
}

// MboxPath is the upasfs ctl path of a user's mailbox file (spec §2.4).
func MboxPath(user, name string) string {
	return BoxDir + "/" + user + "/" + name
}
