package redfish

import (
	"strings"

	"github.com/stmcginnis/gofish/schemas"
)

// RAID normalizes a volume's RAID level to the inventory's words (raid0,
// raid1, raid5, raid6, raid10, single), from the modern RAIDType or, on
// older BMCs, the legacy VolumeType; drives is the volume's member count.
// RAIDType None (no RAID) is single on one drive and raid0 (every drive
// needed) over several. It returns "" when the device does not say, or says something the fault
// model has no word for (RAID50, a triple mirror of pairs, ...), and for
// the legacy StripedWithParity, which does not tell RAID5 from RAID6:
// unknown is safer than a wrong level.
func RAID(raidType, volumeType string, drives int) string {
	switch strings.ToUpper(strings.TrimSpace(raidType)) {
	case "":
	case strings.ToUpper(string(schemas.RAID0RAIDType)), strings.ToUpper(string(schemas.RAID00RAIDType)):
		return "raid0"
	case strings.ToUpper(string(schemas.RAID1RAIDType)), strings.ToUpper(string(schemas.RAID1TripleRAIDType)):
		return "raid1" // a three-way mirror survives while one copy does, as raid1
	case strings.ToUpper(string(schemas.RAID5RAIDType)):
		return "raid5"
	case strings.ToUpper(string(schemas.RAID6RAIDType)):
		return "raid6"
	case strings.ToUpper(string(schemas.RAID10RAIDType)):
		return "raid10"
	case strings.ToUpper(string(schemas.NoneRAIDType)):
		if drives > 1 {
			return "raid0" // no redundancy over several drives: every one is needed
		}
		return "single"
	default:
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(volumeType)) {
	case strings.ToLower(string(schemas.RawDeviceVolumeType)):
		return "single"
	case strings.ToLower(string(schemas.NonRedundantVolumeType)):
		if drives == 1 {
			return "single"
		}
		return "raid0"
	case strings.ToLower(string(schemas.MirroredVolumeType)):
		return "raid1"
	case strings.ToLower(string(schemas.SpannedMirrorsVolumeType)):
		return "raid10"
	}
	return ""
}
