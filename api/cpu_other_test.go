//go:build !unix

package api

import "time"

// procCPU is not measured here: tests that need it skip.
func procCPU() time.Duration { return 0 }
