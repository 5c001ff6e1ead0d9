package testenv

// rng is a small deterministic generator (splitmix64). The generator must
// give the same bytes for the same inputs on every platform and Go release,
// so it does not use math/rand.
type rng struct{ s uint64 }

// Streams separate the random choices that must not depend on each other:
// a message's date, people and thread depend on (seed, i) only, so that
// Envelope and threading agree whatever kind a message is generated as.
const (
	streamKind uint64 = iota + 1
	streamPeople
	streamThread
	streamTime
	streamSubject
	streamBody
	streamID
)

// mix64 is the splitmix64 finaliser: a bijective 64-bit hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash3 combines a seed, a message number and a stream into one value.
func hash3(seed int64, i int, stream uint64) uint64 {
	h := mix64(uint64(seed) + 0x9e3779b97f4a7c15)
	h = mix64((h ^ uint64(i)) + 0x632be59bd9b4e019)
	return mix64(h ^ stream*0xd6e8feb86659fd93)
}

// newRNG returns the generator for one stream of message i.
func newRNG(seed int64, i int, stream uint64) rng {
	return rng{s: hash3(seed, i, stream)}
}

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a number in [0, n); n <= 0 gives 0.
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int((r.next() >> 1) % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	return lo + r.intn(hi-lo+1)
}

// chance reports true with probability pct percent.
func (r *rng) chance(pct int) bool {
	return r.intn(100) < pct
}

// pick returns a random element of a non-empty slice.
func pick[T any](r *rng, xs []T) T {
	return xs[r.intn(len(xs))]
}
