// Command genmbox writes a generated Plan 9 mbox (testenv.WriteMbox, spec
// §1.8) to standard output or to a file, for benchmarks. The same -n and
// -seed always give the same bytes.
//
// Usage:
//
//	genmbox [-n count] [-seed seed] [-o file]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"p9mail/testenv"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("genmbox: ")
	n := flag.Int("n", 10000, "number of `messages`")
	seed := flag.Int64("seed", 1, "generator `seed`")
	out := flag.String("o", "", "output `file` (default: standard output)")
	flag.Parse()
	if flag.NArg() != 0 || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *seed, *n); err != nil {
		log.Fatal(err)
	}
}

// run writes the mbox to out ("" is standard output).
func run(out string, seed int64, n int) error {
	if out == "" {
		_, err := testenv.WriteMbox(os.Stdout, seed, n)
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := testenv.WriteMbox(f, seed, n); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", out, err)
	}
	return nil
}
