//go:build race

package history

// raceEnabled: the race detector slows the pure-Go SQLite ~10x; the full
// 1,000-collection run happens without it (make test runs both).
const raceEnabled = true
