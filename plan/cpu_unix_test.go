//go:build unix

package plan

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (all threads, the garbage
// collector's included): unlike wall time, it does not count waiting for
// a core on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
