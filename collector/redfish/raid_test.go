package redfish

import "testing"

func TestRAID(t *testing.T) {
	tests := []struct {
		raidType, volumeType string
		drives               int
		want                 string
	}{
		{"RAID0", "", 2, "raid0"},
		{"RAID00", "", 4, "raid0"},
		{"RAID1", "", 2, "raid1"},
		{"raid1", "", 2, "raid1"},
		{"RAID1Triple", "", 3, "raid1"},
		{"RAID5", "", 3, "raid5"},
		{"RAID6", "", 4, "raid6"},
		{"RAID10", "", 4, "raid10"},
		{"None", "", 1, "single"},
		{"None", "", 2, "raid0"},
		// Levels the fault model has no word for are not guessed.
		{"RAID50", "", 6, ""},
		{"RAID60", "", 8, ""},
		{"RAID1E", "", 3, ""},
		{"RAID10Triple", "", 6, ""},
		{"RAID3", "", 3, ""},
		// RAIDType wins over VolumeType.
		{"RAID6", "StripedWithParity", 4, "raid6"},
		// Legacy VolumeType.
		{"", "RawDevice", 1, "single"},
		{"", "NonRedundant", 2, "raid0"},
		{"", "NonRedundant", 1, "single"},
		{"", "Mirrored", 2, "raid1"},
		{"", "SpannedMirrors", 4, "raid10"},
		{"", "StripedWithParity", 4, ""}, // RAID5 or RAID6: unknown rather than wrong
		{"", "SpannedStripesWithParity", 6, ""},
		{"", "", 2, ""},
	}
	for _, tc := range tests {
		if got := RAID(tc.raidType, tc.volumeType, tc.drives); got != tc.want {
			t.Errorf("RAID(%q, %q, %d) = %q, want %q", tc.raidType, tc.volumeType, tc.drives, got, tc.want)
		}
	}
}
