package observation

// KeepLastGood returns cur, keeping what prev knew that cur does not say:
//
//   - when cur is a failed poll and prev holds data, prev's data under
//     cur's attempt: the device keeps its last good observation (with its
//     age in CollectedAt) and the new error;
//   - when cur is a good poll with part errors, each section (PSUs,
//     storage, ports) that came back empty while prev had it is prev's,
//     listed in Kept with when it was read: a power collection that
//     answered 500 is not a device without PSUs.
func KeepLastGood(prev *Device, cur Device) Device {
	if prev == nil || !prev.HasData() {
		return cur
	}
	if cur.Error == "" {
		if len(cur.PartErrors) > 0 {
			keepSections(prev, &cur)
		}
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

func keepSections(prev *Device, cur *Device) {
	keep := func(section string) {
		cur.Kept = append(cur.Kept, KeptSection{Section: section, CollectedAt: prev.ReadAt(section)})
	}
	if len(cur.PSUs) == 0 && len(prev.PSUs) > 0 {
		cur.PSUs, cur.PowerRedundancy = prev.PSUs, prev.PowerRedundancy
		keep(SectionPSUs)
	}
	if len(cur.Volumes) == 0 && len(cur.Drives) == 0 && (len(prev.Volumes) > 0 || len(prev.Drives) > 0) {
		cur.Controllers, cur.Volumes, cur.Drives = prev.Controllers, prev.Volumes, prev.Drives
		keep(SectionStorage)
	}
	if len(cur.Ports) == 0 && len(prev.Ports) > 0 {
		cur.Ports = prev.Ports
		keep(SectionPorts)
	}
}
