package daemon

import (
	"log"
	"net"
	"sync"
	"time"
)

// ServeAll listens on every address (plain, then implicitTLS ones,
// which need hasTLS) and runs serve on each listener, and on those it
// was given (inherited: Activated's), until all end; the addresses are
// as ninep.Listen takes them. It exits the program on a listening
// error, as a daemon's start-up should.
func ServeAll(plain, implicitTLS []string, inherited []Listener, hasTLS bool, listen func(string) (net.Listener, error),
	serve func(l net.Listener, implicitTLS bool) error) {
	var wg sync.WaitGroup
	run := func(l net.Listener, tlsOn bool) {
		if tlsOn && !hasTLS {
			log.Fatal("an implicit-TLS listener needs a certificate (-t)")
		}
		log.Printf("listening on %s%s", l.Addr(), map[bool]string{true: " (TLS)"}[tlsOn])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := serve(l, tlsOn); err != nil {
					log.Print(err)
					time.Sleep(time.Second)
					continue
				}
				return
			}
		}()
	}
	start := func(addr string, tlsOn bool) {
		l, err := listen(addr)
		if err != nil {
			log.Fatal(err)
		}
		run(l, tlsOn)
	}
	for _, l := range inherited {
		run(l.Listener, l.TLS)
	}
	for _, a := range plain {
		start(a, false)
	}
	for _, a := range implicitTLS {
		start(a, true)
	}
	wg.Wait()
}
