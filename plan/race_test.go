//go:build race

package plan

// raceEnabled: the race detector slows the oracle ~10x; the full run of
// the differential test happens without it (make test runs both).
const raceEnabled = true
