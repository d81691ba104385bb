//go:build !unix

package audit

import "time"

// cpuTime is not measured here; BenchmarkPlan reports wall time only.
func cpuTime() time.Duration { return 0 }
