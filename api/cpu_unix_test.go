//go:build unix

package api

import (
	"syscall"
	"time"
)

// procCPU is the CPU time the process has used (all threads): unlike wall
// time, it does not count waiting for a core on a shared machine.
func procCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
