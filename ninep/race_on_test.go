//go:build race

package ninep

// raceEnabled: the race detector slows the hammer tenfold or more.
const raceEnabled = true
