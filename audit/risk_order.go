package audit

import (
	"cmp"
	"slices"
)

// SortByRisk orders findings by the expected downtime a year each
// accounts for, most first; findings without a figure (rules other than
// spof, double-fault and service-down, or figures not computed) follow in
// their order before. The sort is stable: findings of equal downtime keep
// their order (severity, rule, subject, id after NewReport).
func SortByRisk(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		switch {
		case a.DowntimeMinutesPerYear == nil && b.DowntimeMinutesPerYear == nil:
			return 0
		case a.DowntimeMinutesPerYear == nil:
			return 1
		case b.DowntimeMinutesPerYear == nil:
			return -1
		}
		return cmp.Compare(*b.DowntimeMinutesPerYear, *a.DowntimeMinutesPerYear)
	})
}
