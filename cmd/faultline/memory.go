package main

import "runtime/debug"

// gcPercent is the garbage collector's target (GOGC) faultline runs with
// unless GOGC is set: the heap may grow to 1.5× what is alive instead of
// Go's default 2×. A loaded inventory is most of what is alive, so this
// lowers a large estate's peak memory (docs/performance.md: by 14–34% at
// a million components; the extra collections' CPU was within noise).
// GOGC=100 restores Go's default; GOMEMLIMIT works as usual on top.
const gcPercent = 50

// tuneGC applies gcPercent unless the environment sets GOGC; it returns
// the percent in force.
func tuneGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		old := debug.SetGCPercent(-1)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(gcPercent)
	return gcPercent
}
