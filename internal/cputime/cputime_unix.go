//go:build unix

// Package cputime reads the CPU time the process has used, for
// benchmarks that report it beside wall time on a shared machine.
package cputime

import (
	"syscall"
	"time"
)

// Used is the CPU time the process has used (all threads, the garbage
// collector's included): unlike wall time, it does not count waiting for
// a core on a shared machine. Zero when it cannot be read.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
