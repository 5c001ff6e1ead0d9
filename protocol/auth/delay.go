package auth

import "time"

// Delay is the pause after a failed login and the number of failures
// after which a session ends (spec §3.2: 4e pop3 sleeps 10, 20, 40 … s,
// capped at 30 min, and exits at the 21st failure). Plan 9 counted per
// session; a Throttle counts the same delays per user and per client
// address across sessions. The zero Delay never sleeps and never ends a
// session.
type Delay struct {
	Base  time.Duration // first delay (Plan 9: 10 s); 0 disables delays
	Max   time.Duration // cap on a delay (Plan 9: 30 min); 0 = no cap
	Limit int           // failures after which the session must end; 0 = no limit
}

// DefaultDelay keeps Plan 9's first delay, its doubling and its 20
// failures, but caps a delay at 30 s instead of 30 min: common clients
// give up on a reply after about 60 s, and a client that times out
// reconnects (and retries) instead of showing the user a password
// prompt. A guesser still gets at most 20 tries per connection, each
// costing it ≥ 10 s, and 20 failures take about 9 minutes.
var DefaultDelay = Delay{Base: 10 * time.Second, Max: 30 * time.Second, Limit: 20}

// Duration returns the delay for the nth failure (1-based):
// Base·2^(n−1), capped at Max; 0 for n < 1 or Base ≤ 0.
func (d Delay) Duration(n int) time.Duration {
	if n < 1 || d.Base <= 0 {
		return 0
	}
	const ceiling = time.Duration(1<<63-1) / 2 // doubling stays positive
	delay := d.Base
	for i := 1; i < n && delay < ceiling; i++ {
		if d.Max > 0 && delay >= d.Max {
			break
		}
		delay *= 2
	}
	if d.Max > 0 && delay > d.Max {
		delay = d.Max
	}
	return delay
}
