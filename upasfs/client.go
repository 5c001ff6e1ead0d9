// Package upasfs is the upasfs(4) protocol as a client sees it: ctl
// messages, the message tree, the `info` fields and typed readers.
// It is the only place outside the emulator that knows the names of
// upasfs files (spec §1.2–§1.6); it works the same against the
// emulator and a real Plan 9, 9front or plan9port upas/fs.
package upasfs

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"

	"9fans.net/go/plan9"

	"p9mail/ninep"
)

// The per-message files a front end reads (spec §1.4).
const (
	FileRaw        = "raw"
	FileRawUnix    = "rawunix"
	FileRawHeader  = "rawheader"
	FileRawBody    = "rawbody"
	FileHeader     = "header"
	FileMimeHeader = "mimeheader"
	FileBody       = "body"
	FileInfo       = "info"
	FileDigest     = "digest"
	FileUnixHeader = "unixheader"
	FileType       = "type"
	FileLines      = "lines"
)

// A Client talks to one upasfs through a file tree.
type Client struct {
	fs  ninep.FS
	dir string // where upasfs is mounted in fs: "/mail/fs", or "" for a 9P attach root

	// Parallel bounds the requests Infos and ReadFiles keep in flight.
	Parallel int
}

// New returns a Client for the upasfs mounted at dir in fs.
func New(fs ninep.FS, dir string) *Client {
	return &Client{fs: fs, dir: dir, Parallel: 16}
}

func (c *Client) name(elem ...string) string {
	return path.Join(append([]string{"/", c.dir}, elem...)...)
}

// MsgPath names file of the part at part (1-based sub-part numbers,
// nil for the message itself) of message n in box.
func (c *Client) MsgPath(box string, n int, part []int, file string) string {
	elems := []string{box, strconv.Itoa(n)}
	for _, k := range part {
		elems = append(elems, strconv.Itoa(k))
	}
	if file != "" {
		elems = append(elems, file)
	}
	return c.name(elems...)
}

// Ctl writes one control message to the root ctl file (spec §1.6).
func (c *Client) Ctl(msg string) error {
	f, err := c.fs.Open(c.name("ctl"), plan9.OWRITE)
	if err != nil {
		return fmt.Errorf("open ctl: %w", err)
	}
	defer f.Close()
	if _, err := f.Write([]byte(msg)); err != nil {
		return err
	}
	return nil
}

// Open opens the mailbox file at path under name, as imap4d does:
// `open '<path>' <name>` (spec §2.4).
func (c *Client) Open(path, name string) error {
	return c.Ctl("open " + Quote(path) + " " + Quote(name))
}

// Close closes the mailbox called name.
func (c *Client) Close(name string) error {
	return c.Ctl("close " + Quote(name))
}

// Delete deletes messages nums of box, in writes of at most 8 KB as
// imap4d batches them (spec §2.7).
func (c *Client) Delete(box string, nums ...int) error {
	const max = 8 * 1024
	for len(nums) > 0 {
		var b strings.Builder
		b.WriteString("delete " + Quote(box))
		i := 0
		for ; i < len(nums); i++ {
			s := " " + strconv.Itoa(nums[i])
			if i > 0 && b.Len()+len(s) > max {
				break
			}
			b.WriteString(s)
		}
		if err := c.Ctl(b.String()); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		nums = nums[i:]
	}
	return nil
}

// Stat returns the mailbox directory's entry. Its qid changes when the
// mailbox does, and the stat itself makes upasfs look for new mail
// (spec §1.7).
func (c *Client) Stat(box string) (*plan9.Dir, error) {
	return c.fs.Stat(c.name(box))
}

// List returns the message numbers of box in mailbox order: the
// directory entries that are directories with purely numeric names
// (spec §2.6). Reading the directory makes upasfs look for new mail.
func (c *Client) List(box string) ([]int, error) {
	ents, err := ninep.ReadDirEntries(c.fs, c.name(box))
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, d := range ents {
		if !d.IsDir {
			continue
		}
		n, err := strconv.Atoi(d.Name)
		if err != nil || n <= 0 || strconv.Itoa(n) != d.Name {
			continue
		}
		nums = append(nums, n)
	}
	return nums, nil
}

// Parts returns the sub-part numbers of the part at part of message n.
func (c *Client) Parts(box string, n int, part []int) ([]int, error) {
	ents, err := ninep.ReadDirEntries(c.fs, c.MsgPath(box, n, part, ""))
	if err != nil {
		return nil, err
	}
	var ks []int
	for _, d := range ents {
		if !d.IsDir {
			continue
		}
		if k, err := strconv.Atoi(d.Name); err == nil && k > 0 {
			ks = append(ks, k)
		}
	}
	return ks, nil
}

// ReadFile reads a whole file of a message or part.
func (c *Client) ReadFile(box string, n int, part []int, file string) ([]byte, error) {
	return c.fs.ReadFile(c.MsgPath(box, n, part, file))
}

// OpenFile opens a file of a message or part for streaming. upasfs
// serves its files in full, so a short read is the end (ninep.OpenWhole).
func (c *Client) OpenFile(box string, n int, part []int, file string) (ninep.File, error) {
	return ninep.OpenWhole(c.fs, c.MsgPath(box, n, part, file))
}

// Info reads and parses message n's info file.
func (c *Client) Info(box string, n int) (*Info, error) {
	b, err := c.ReadFile(box, n, nil, FileInfo)
	if err != nil {
		return nil, err
	}
	return ParseInfo(b)
}

// Infos reads the info files of nums concurrently (the 9P client
// multiplexes requests on one connection; DESIGN.md "Speed"). A
// message that vanished meanwhile gets a nil Info; other errors fail
// the call.
func (c *Client) Infos(box string, nums []int) ([]*Info, error) {
	out := make([]*Info, len(nums))
	err := c.each(len(nums), func(i int) error {
		inf, err := c.Info(box, nums[i])
		if ninep.IsNotExist(err) {
			return nil
		}
		out[i] = inf
		return err
	})
	return out, err
}

// Digests reads the digest of each message in nums concurrently (spec
// §1.4), white space trimmed; a message that vanished gets "".
func (c *Client) Digests(box string, nums []int) ([]string, error) {
	files, err := c.ReadFiles(box, nums, FileDigest)
	if err != nil {
		return nil, err
	}
	digests := make([]string, len(files))
	for i, f := range files {
		if f != nil {
			digests[i] = strings.TrimSpace(string(f))
		}
	}
	return digests, nil
}

// ReadFiles reads one file of each message in nums concurrently; a
// message that vanished gets nil.
func (c *Client) ReadFiles(box string, nums []int, file string) ([][]byte, error) {
	out := make([][]byte, len(nums))
	err := c.each(len(nums), func(i int) error {
		b, err := c.ReadFile(box, nums[i], nil, file)
		if ninep.IsNotExist(err) {
			return nil
		}
		out[i] = b
		return err
	})
	return out, err
}

// each runs f(0..n-1) with at most c.Parallel calls in flight and
// returns the first error.
func (c *Client) each(n int, f func(int) error) error {
	par := c.Parallel
	if par < 1 {
		par = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for w := 0; w < par && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// Quote quotes s for a ctl message with Plan 9's rules (quote(2)): in
// single quotes, with quotes doubled, when s is empty or holds white
// space or a quote.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\r\n'") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
