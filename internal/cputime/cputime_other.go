//go:build !unix

// Package cputime reads the CPU time the process has used, for
// benchmarks that report it beside wall time on a shared machine.
package cputime

import "time"

// Used is not measured on this platform: zero, and benchmarks report wall
// time only.
func Used() time.Duration { return 0 }
