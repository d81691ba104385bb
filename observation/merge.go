package observation

// KeepLastGood returns cur, or, when cur is a failed poll and prev holds
// data, prev's data under cur's attempt: the device keeps its last good
// observation (with its age in CollectedAt) and the new error.
func KeepLastGood(prev *Device, cur Device) Device {
	if cur.Error == "" || prev == nil || !prev.HasData() {
		return cur
	}
	kept := *prev
	kept.AttemptedAt = cur.AttemptedAt
	kept.Duration = cur.Duration
	kept.Requests = cur.Requests
	kept.Error = cur.Error
	kept.PartErrors = cur.PartErrors
	kept.Warnings = cur.Warnings
	kept.Endpoint = cur.Endpoint
	return kept
}
