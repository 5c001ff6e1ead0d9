package message

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/server"
)

const user = "glenda"

// openBox serves mbox through the emulator over 9P and returns a client
// and the message numbers of the box "mbox".
func openBox(t testing.TB, mbox []byte) (*upasfs.Client, []int) {
	t.Helper()
	root := testenv.MailRoot(t, user)
	testenv.WriteFixture(t, root, user, "mbox", mbox)
	emu := testenv.StartEmulator(t, root, server.Config{})
	c := upasfs.New(emu.Mount(t, user, ""), "")
	nums, err := c.List("mbox")
	if err != nil {
		t.Fatal(err)
	}
	return c, nums
}

// mailbox returns testdata/<name>.mbox, else testenv.Fixture(name).
func mailbox(t testing.TB, name string) []byte {
	t.Helper()
	mbox, err := os.ReadFile(filepath.Join("testdata", name+".mbox"))
	if err != nil {
		mbox = testenv.Fixture(name)
	}
	if mbox == nil {
		t.Fatalf("no mailbox %s", name)
	}
	return mbox
}

// loadAll loads every message of mbox.
func loadAll(t testing.TB, mbox []byte) ([]Source, []*Structure) {
	t.Helper()
	c, nums := openBox(t, mbox)
	var srcs []Source
	var ss []*Structure
	for _, n := range nums {
		src := UpasfsSource(c, "mbox", n)
		s, err := Load(src)
		if err != nil {
			t.Fatalf("load message %d: %v", n, err)
		}
		srcs = append(srcs, src)
		ss = append(ss, s)
	}
	return srcs, ss
}

// splitMbox returns what upasfs serves as raw for each message of an
// mbox, computed independently of the emulator (spec §1.4, p9p §3.1):
// a message starts at a line beginning "From "; raw is what follows
// that line up to the next message, less one trailing LF.
func splitMbox(mbox []byte) [][]byte {
	var starts []int
	for i := 0; i < len(mbox); {
		if bytes.HasPrefix(mbox[i:], []byte("From ")) {
			starts = append(starts, i)
		}
		j := bytes.IndexByte(mbox[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	var out [][]byte
	for k, s := range starts {
		end := len(mbox)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		m := mbox[s:end]
		m = m[bytes.IndexByte(m, '\n')+1:]
		out = append(out, bytes.TrimSuffix(m, []byte("\n")))
	}
	return out
}

// literal is the IMAP form of stored bytes, computed independently:
// each LF not after a CR becomes CRLF, NUL becomes 0x80.
func literal(b []byte) []byte {
	var out []byte
	for i, c := range b {
		switch {
		case c == '\n' && (i == 0 || b[i-1] != '\r'):
			out = append(out, '\r', '\n')
		case c == 0:
			out = append(out, 0x80)
		default:
			out = append(out, c)
		}
	}
	return out
}

// fetch returns a section's bytes, checking that exactly the promised
// size was streamed.
func fetch(t testing.TB, s *Structure, src Source, sec Section, p *Partial) []byte {
	t.Helper()
	b, err := readSection(s, src, sec, p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readSection reads a section, failing when the bytes streamed are not
// the promised size.
func readSection(s *Structure, src Source, sec Section, p *Partial) ([]byte, error) {
	size, open, err := s.Section(src, sec, p)
	if err != nil {
		return nil, fmt.Errorf("section %+v: %w", sec, err)
	}
	r, err := open()
	if err != nil {
		return nil, fmt.Errorf("open section %+v: %w", sec, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read section %+v: %w", sec, err)
	}
	if int64(len(b)) != size {
		return nil, fmt.Errorf("section %+v %v: size %d, streamed %d bytes", sec, p, size, len(b))
	}
	return b, nil
}

// measure streams the raw file at path through the CRLF conversion and
// returns its geometry, given the header block's CRLF size as the
// header file says: the reference head's geometry is checked against.
func measure(src Source, path []int, hdrSize int64, trim bool) (g geometry, unix string, err error) {
	f, unix, err := openRaw(src, path)
	if err != nil {
		return geometry{}, "", err
	}
	g, err = measureStream(f, path, hdrSize, trim)
	return g, unix, err
}
