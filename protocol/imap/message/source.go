package message

import (
	"io"

	"p9mail/upasfs"
)

// A Source reads the files of one message (spec §1.2–§1.4). part is a
// upasfs path below the message directory: 1-based sub-part numbers,
// nil for the message itself; file is a upasfs file name (upasfs.File*).
// A Source must allow concurrent calls: Load issues requests in
// parallel (DESIGN.md "Speed").
type Source interface {
	// ReadFile reads a whole small file.
	ReadFile(part []int, file string) ([]byte, error)
	// Open opens a file for streaming.
	Open(part []int, file string) (io.ReadCloser, error)
	// Parts returns the sub-part numbers of the part, none for a leaf.
	Parts(part []int) ([]int, error)
}

// UpasfsSource returns the Source for message n of box in c.
func UpasfsSource(c *upasfs.Client, box string, n int) Source {
	return clientSource{c, box, n}
}

type clientSource struct {
	c   *upasfs.Client
	box string
	n   int
}

func (s clientSource) ReadFile(part []int, file string) ([]byte, error) {
	return s.c.ReadFile(s.box, s.n, part, file)
}

func (s clientSource) Open(part []int, file string) (io.ReadCloser, error) {
	return s.c.OpenFile(s.box, s.n, part, file)
}

func (s clientSource) Parts(part []int) ([]int, error) {
	return s.c.Parts(s.box, s.n, part)
}
