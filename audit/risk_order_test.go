package audit

import (
	"slices"
	"testing"
)

// TestSortByRisk: most downtime first, findings without a figure last in
// their order before, ties kept in order.
func TestSortByRisk(t *testing.T) {
	m := func(x float64) *float64 { return &x }
	fs := []Finding{
		{ID: "a"},
		{ID: "b", DowntimeMinutesPerYear: m(3)},
		{ID: "c", DowntimeMinutesPerYear: m(126)},
		{ID: "d"},
		{ID: "e", DowntimeMinutesPerYear: m(3)},
		{ID: "f", DowntimeMinutesPerYear: m(0)},
	}
	SortByRisk(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	if want := []string{"c", "b", "e", "f", "a", "d"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
