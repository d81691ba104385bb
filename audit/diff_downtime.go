package audit

import (
	"cmp"
	"math"
	"slices"
)

// ServiceDowntime is one service's expected downtime a year before and
// after a change to the inventory (the reliability figures of each side).
type ServiceDowntime struct {
	ID string `json:"id"`
	// Before and After are minutes a year; null when the service is not
	// in that side's inventory.
	Before *float64 `json:"before_minutes_per_year"`
	After  *float64 `json:"after_minutes_per_year"`
}

// downtimeNoise is the relative difference below which two downtime
// figures are the same: the figures of an unchanged service can differ in
// their last digits when the inventory around it is renumbered.
const downtimeNoise = 1e-3

// Changed reports whether the service's expected downtime changed: it is
// new, gone, or moved by more than 0.1%.
func (s ServiceDowntime) Changed() bool {
	if s.Before == nil || s.After == nil {
		return true
	}
	b, a := *s.Before, *s.After
	return math.Abs(a-b) > downtimeNoise*max(a, b)
}

// Rise is After − Before in minutes a year (a new service's whole
// downtime, minus a removed one's).
func (s ServiceDowntime) Rise() float64 {
	var b, a float64
	if s.Before != nil {
		b = *s.Before
	}
	if s.After != nil {
		a = *s.After
	}
	return a - b
}

// DiffDowntime compares the services' expected downtime of two sides'
// reliability figures: every service of either side, the largest change
// first (by its size, rises before falls of the same size), then by id.
// It is nil when either side has no figures.
func DiffDowntime(old, new *Reliability) []ServiceDowntime {
	if old == nil || new == nil {
		return nil
	}
	before := make(map[string]*float64, len(old.Services))
	for _, s := range old.Services {
		before[s.ID] = &s.DowntimeMinutesPerYear
	}
	out := make([]ServiceDowntime, 0, len(new.Services))
	for _, s := range new.Services {
		out = append(out, ServiceDowntime{ID: s.ID, Before: before[s.ID], After: &s.DowntimeMinutesPerYear})
		delete(before, s.ID)
	}
	for _, s := range old.Services {
		if b, gone := before[s.ID]; gone {
			out = append(out, ServiceDowntime{ID: s.ID, Before: b})
		}
	}
	slices.SortFunc(out, func(x, y ServiceDowntime) int {
		if c := cmp.Compare(math.Abs(y.Rise()), math.Abs(x.Rise())); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Rise(), x.Rise()); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out
}
