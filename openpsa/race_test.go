//go:build race

package openpsa_test

// raceEnabled: the race detector slows the Go side several times; the
// full differential run happens without it (make test runs both).
const raceEnabled = true
