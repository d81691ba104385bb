package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiffDowntime: every service of either side, with its downtime
// before and after (null where it is not), largest change first; a change
// within the figures' noise is no change.
func TestDiffDowntime(t *testing.T) {
	old := &Reliability{Services: []ServiceReliability{
		{ID: "web", DowntimeMinutesPerYear: 3},
		{ID: "db", DowntimeMinutesPerYear: 60},
		{ID: "mail", DowntimeMinutesPerYear: 10},
		{ID: "gone", DowntimeMinutesPerYear: 1},
	}}
	new := &Reliability{Services: []ServiceReliability{
		{ID: "web", DowntimeMinutesPerYear: 126},
		{ID: "db", DowntimeMinutesPerYear: 30},
		{ID: "mail", DowntimeMinutesPerYear: 10.0001},
		{ID: "fresh", DowntimeMinutesPerYear: 5},
	}}
	got := DiffDowntime(old, new)
	type row struct {
		ID            string
		Before, After any
		Changed       bool
	}
	var rows []row
	for _, s := range got {
		r := row{ID: s.ID, Changed: s.Changed()}
		if s.Before != nil {
			r.Before = *s.Before
		}
		if s.After != nil {
			r.After = *s.After
		}
		rows = append(rows, r)
	}
	want := []row{
		{"web", 3.0, 126.0, true},
		{"db", 60.0, 30.0, true},
		{"fresh", nil, 5.0, true},
		{"gone", 1.0, nil, true},
		{"mail", 10.0, 10.0001, false},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("DiffDowntime (-want +got):\n%s", diff)
	}
	if DiffDowntime(nil, new) != nil || DiffDowntime(old, nil) != nil {
		t.Error("a side without figures gives figures")
	}
}
