package server_test

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"testing"
	"time"

	"p9mail/ninep"
	"p9mail/testenv"
	"p9mail/upasfs"
	"p9mail/upasfs/mbox"
	"p9mail/upasfs/server"
)

// TestConcurrentReadDeleteDeliver runs readers and deleters on several
// attaches while a delivery agent appends mail under the mailbox
// locks. At the end the mbox must hold exactly the messages that were
// not deleted, including every one delivered meanwhile.
func TestConcurrentReadDeleteDeliver(t *testing.T) {
	const (
		initial   = 150
		delivered = 40
		attaches  = 3
	)
	root := testenv.MailRoot(t, "glenda")
	var buf bytes.Buffer
	if _, err := testenv.WriteMbox(&buf, 7, initial); err != nil {
		t.Fatal(err)
	}
	path := testenv.WriteFixture(t, root, "glenda", "mbox", buf.Bytes())
	emu := testenv.StartEmulator(t, root, server.Config{})

	all := make(map[[20]byte]bool) // every message that was ever in the mailbox
	for _, m := range splitMbox(buf.Bytes()) {
		all[sha1.Sum(m)] = true
	}
	var (
		mu      sync.Mutex
		deleted = make(map[string]bool) // digests asked to be deleted
		errs    = make(chan error, 100)
		stop    = make(chan struct{})
		wg      sync.WaitGroup // readers
		writers sync.WaitGroup // deleters and the delivery agent
	)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	clients := make([]*upasfs.Client, attaches)
	for i := range clients {
		clients[i] = upasfs.New(emu.Mount(t, "glenda", ""), "")
	}
	for i, c := range clients {
		// Two readers per attach.
		for r := 0; r < 2; r++ {
			wg.Add(1)
			go func(c *upasfs.Client, seed int64) {
				defer wg.Done()
				rng := rand.New(rand.NewSource(seed))
				for {
					select {
					case <-stop:
						return
					default:
					}
					nums, err := c.List("mbox")
					if err != nil {
						report(fmt.Errorf("list: %v", err))
						return
					}
					if len(nums) == 0 {
						continue
					}
					n := nums[rng.Intn(len(nums))]
					if _, err := c.Info("mbox", n); err != nil && !ninep.IsNotExist(err) {
						report(fmt.Errorf("info %d: %v", n, err))
					}
					if _, err := c.ReadFile("mbox", n, nil, upasfs.FileRaw); err != nil && !ninep.IsNotExist(err) {
						report(fmt.Errorf("raw %d: %v", n, err))
					}
				}
			}(c, int64(i*10+r))
		}
		// One deleter per attach.
		writers.Add(1)
		go func(c *upasfs.Client, seed int64) {
			defer writers.Done()
			rng := rand.New(rand.NewSource(seed))
			for k := 0; k < 15; k++ {
				nums, err := c.List("mbox")
				if err != nil || len(nums) == 0 {
					report(fmt.Errorf("list: %v", err))
					return
				}
				n := nums[rng.Intn(len(nums))]
				d, err := c.ReadFile("mbox", n, nil, upasfs.FileDigest)
				if ninep.IsNotExist(err) {
					continue
				}
				if err != nil {
					report(fmt.Errorf("digest %d: %v", n, err))
					return
				}
				mu.Lock()
				deleted[string(d)] = true
				mu.Unlock()
				if err := c.Delete("mbox", n); err != nil {
					report(fmt.Errorf("delete %d: %v", n, err))
				}
			}
		}(c, int64(100+i))
	}
	// The delivery agent.
	writers.Add(1)
	go func() {
		defer writers.Done()
		for k := 0; k < delivered; k++ {
			var m bytes.Buffer
			msg := testenv.Message(99, k, testenv.KindOf(99, k))
			if err := mbox.Format(&m, "deliver@example.com", time.Unix(1700000000+int64(k), 0).UTC(), msg); err != nil {
				report(err)
				return
			}
			if err := mbox.Append(path, m.Bytes(), 30*time.Second); err != nil {
				report(fmt.Errorf("append: %v", err))
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	writers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	final, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]int)
	for _, m := range splitMbox(final) {
		s := sha1.Sum(m)
		all[s] = true
		have[fmt.Sprintf("%x", s)]++
	}
	// Every delivered message made it into the file at some point: check
	// by counting what must be there.
	wantCount := initial + delivered - len(deleted)
	for d, n := range have {
		if n != 1 {
			t.Errorf("message %s is in the mbox %d times", d, n)
		}
		if deleted[d] {
			t.Errorf("deleted message %s is still in the mbox", d)
		}
	}
	if len(have) != wantCount {
		t.Errorf("mbox holds %d messages, want %d (%d + %d delivered - %d deleted)", len(have), wantCount, initial, delivered, len(deleted))
	}
	// And through a new attach the emulator agrees with the file.
	c := upasfs.New(emu.Mount(t, "glenda", ""), "")
	nums, err := c.List("mbox")
	if err != nil {
		t.Fatal(err)
	}
	digests, err := c.ReadFiles("mbox", nums, upasfs.FileDigest)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range digests {
		if have[string(d)] != 1 {
			t.Errorf("emulator message %d (%s) is not in the file", nums[i], d)
		}
	}
	if len(digests) != len(have) {
		t.Errorf("emulator lists %d messages, file holds %d", len(digests), len(have))
	}
}
