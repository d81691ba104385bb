package history

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/observation"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func f64(x float64) *float64 { return &x }

func obs(id string, at time.Time, uptime float64, err string) observation.Device {
	o := observation.Device{ID: id, Source: "snmp", AttemptedAt: at, Error: err}
	if err == "" {
		o.CollectedAt = at
		o.UptimeSeconds = f64(uptime)
	}
	return o
}

func TestObservationsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCollection(ctx, t0, []observation.Device{obs("sw-1", t0, 100, ""), obs("sw-2", t0, 50, "")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCollection(ctx, t0.Add(time.Minute), []observation.Device{obs("sw-1", t0.Add(time.Minute), 160, ""), obs("sw-2", t0.Add(time.Minute), 0, "timeout")}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	latest, err := s.LatestObservations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 2 || latest[0].ID != "sw-1" || *latest[0].UptimeSeconds != 160 || latest[1].Error != "timeout" {
		t.Fatalf("latest: %+v", latest)
	}
}

func TestFindingLifecycle(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := audit.Finding{ID: "spof/web/feed-a", Rule: "spof", Severity: audit.Critical, Subject: "web"}
	b := audit.Finding{ID: "stale/db-1", Rule: "stale", Severity: audit.Warning, Subject: "db-1"}
	steps := []struct {
		at    time.Time
		fs    []audit.Finding
		first map[string]time.Time
		open  int
	}{
		{t0, []audit.Finding{a}, map[string]time.Time{a.ID: t0}, 1},
		{t0.Add(time.Hour), []audit.Finding{a, b}, map[string]time.Time{a.ID: t0, b.ID: t0.Add(time.Hour)}, 2},
		{t0.Add(2 * time.Hour), []audit.Finding{a}, map[string]time.Time{a.ID: t0}, 1},                                 // b resolved
		{t0.Add(3 * time.Hour), []audit.Finding{a, b}, map[string]time.Time{a.ID: t0, b.ID: t0.Add(3 * time.Hour)}, 2}, // b reopened: seen anew
	}
	for i, st := range steps {
		first, err := s.UpdateFindings(ctx, st.at, st.fs)
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range st.first {
			if !first[id].Equal(want) {
				t.Errorf("step %d: %s first seen %v, want %v", i, id, first[id], want)
			}
		}
		open, err := s.OpenFindings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != st.open {
			t.Errorf("step %d: %d open findings, want %d", i, len(open), st.open)
		}
	}
}

func TestRestarts(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// sw-1: uptime grows steadily (no restart); sw-2: resets twice.
	uptimes := map[string][]float64{"sw-1": {1000, 1300, 1600, 1900}, "sw-2": {1000, 20, 320, 10}}
	for i := 0; i < 4; i++ {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		var batch []observation.Device
		for _, id := range []string{"sw-1", "sw-2"} {
			batch = append(batch, obs(id, at, uptimes[id][i], ""))
		}
		if err := s.SaveCollection(ctx, at, batch); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Restarts(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got["sw-1"] != 0 || got["sw-2"] != 2 {
		t.Errorf("restarts %v, want sw-2: 2", got)
	}
	if _, err := s.Prune(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// sw-1 never changed: one row; sw-2 restarted twice: three rows, of
	// which the prune keeps the current one. The four collections had the
	// same devices and failures: one run, kept as the last.
	if st.Collections != 4 || st.Observations != 2 {
		t.Errorf("after prune: %+v; want each device's current reading and the last run of 4 collections kept", st)
	}
}

// TestCountRestarts: the one restart counter, for the database and for
// serve without one.
func TestCountRestarts(t *testing.T) {
	r := func(dev, src string, minute int, uptime float64) Reading {
		seen := t0.Add(time.Duration(minute) * time.Minute)
		return Reading{Device: dev, Source: src, Seen: seen, Boot: Boot{At: seen.Add(-time.Duration(uptime * float64(time.Second))), Uptime: uptime}}
	}
	cases := []struct {
		name     string
		readings []Reading
		since    time.Time
		want     map[string]int
	}{
		{"uptime grows: no restart", []Reading{r("a", "snmp", 0, 600), r("a", "snmp", 5, 900), r("a", "snmp", 10, 1200)}, t0, map[string]int{}},
		{"uptime went down", []Reading{r("a", "snmp", 0, 600), r("a", "snmp", 5, 30)}, t0, map[string]int{"a": 1}},
		{"a reset between polls that left more uptime: boot time moved", []Reading{r("a", "snmp", 0, 60), r("a", "snmp", 10, 120)}, t0, map[string]int{"a": 1}},
		{"boot time jitter under the slack", []Reading{r("a", "snmp", 0, 600), r("a", "snmp", 5, 900+30)}, t0, map[string]int{}},
		{"readings before the window do not count", []Reading{r("a", "snmp", 0, 600), r("a", "snmp", 5, 30), r("a", "snmp", 10, 330)}, t0.Add(5 * time.Minute), map[string]int{}},
		{"sources are separate series, in any order", []Reading{r("a", "redfish", 5, 20), r("a", "snmp", 5, 900), r("a", "redfish", 0, 5000), r("a", "snmp", 0, 600)}, t0, map[string]int{"a": 1}},
		{"devices are counted apart", []Reading{r("a", "snmp", 0, 600), r("b", "snmp", 0, 600), r("b", "snmp", 5, 10), r("a", "snmp", 5, 900)}, t0, map[string]int{"b": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CountRestarts(tc.readings, tc.since); !maps.Equal(got, tc.want) {
				t.Errorf("restarts %v, want %v", got, tc.want)
			}
		})
	}
}
