//go:build !unix

package plan

import "time"

// cpuTime is not measured here; BenchmarkPlan reports wall time only.
func cpuTime() time.Duration { return 0 }
