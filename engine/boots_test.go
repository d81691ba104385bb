package engine

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/history"
	"github.com/faultline/faultline/observation"
)

// TestBootTrackerCountsAsEveryReading: the tracker keeps a run of
// readings as its first and latest, and drops what is older than its
// window, yet counts the restarts that every reading kept would: the
// same counter, a bounded memory.
func TestBootTrackerCountsAsEveryReading(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	const poll = 10 * time.Second
	// Each case gives a device's uptime at each poll.
	steady := func(n int) []float64 {
		u := make([]float64, n)
		for i := range u {
			u[i] = 5000 + float64(i)*poll.Seconds()
		}
		return u
	}
	withResets := func(n, every int) []float64 {
		u := make([]float64, n)
		for i := range u {
			u[i] = float64(i%every)*poll.Seconds() + 1
		}
		return u
	}
	resetting := func(n int) []float64 { // less uptime at every poll: a restart each time
		u := make([]float64, n)
		for i := range u {
			u[i] = 1e6 - float64(i)
		}
		return u
	}
	drifting := func(n int) []float64 { // the boot time creeps 1 s a poll: never a restart between two polls
		u := make([]float64, n)
		for i := range u {
			u[i] = 5000 + float64(i)*(poll.Seconds()-1)
		}
		return u
	}
	cases := []struct {
		name     string
		uptimes  []float64
		window   time.Duration
		maxKept  int
		sinceAgo time.Duration
		// capped: the tracker keeps the newest maxReadings only.
		capped bool
	}{
		{"steady for 10,000 polls", steady(10_000), 24 * time.Hour, 2, 24 * time.Hour, false},
		{"a reset every 50 polls", withResets(2_000, 50), 24 * time.Hour, 2 * (2_000/50 + 1), 24 * time.Hour, false},
		{"resets older than the window are dropped", withResets(2_000, 50), time.Hour, 2 * (int(time.Hour/poll)/50 + 2), time.Hour, false},
		{"a boot time that creeps: a run of 90 polls at most", drifting(3_000), 24 * time.Hour, 2 * (3_000/90 + 1), 24 * time.Hour, false},
		{"a reset every poll: bounded", resetting(3_000), 24 * time.Hour, maxReadings, 24 * time.Hour, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBootTracker(tc.window)
			var every []history.Reading
			var last time.Time
			for i, u := range tc.uptimes {
				last = t0.Add(time.Duration(i) * poll)
				o := observation.Device{ID: "sw-1", Source: observation.SourceSNMP, AttemptedAt: last, CollectedAt: last, UptimeSeconds: &u}
				b.observe(&o, "sw-1/snmp")
				r, _ := history.ReadingOf(&o)
				every = append(every, r)
			}
			since := last.Add(-tc.sinceAgo)
			if tc.capped {
				every = every[len(every)-maxReadings:]
			}
			want := history.CountRestarts(every, since)
			if got := b.count(since); !maps.Equal(got, want) {
				t.Errorf("restarts %v, want %v (counted over every reading)", got, want)
			}
			if n := b.size(); n > tc.maxKept {
				t.Errorf("%d readings kept, want at most %d", n, tc.maxKept)
			}
		})
	}
}

// TestBootTrackerNil: with a history database the engine keeps no
// tracker, and observing into none is harmless.
func TestBootTrackerNil(t *testing.T) {
	var b *bootTracker
	u := 100.0
	now := time.Now()
	b.observe(&observation.Device{ID: "sw-1", Source: observation.SourceSNMP, CollectedAt: now, AttemptedAt: now, UptimeSeconds: &u}, "sw-1/snmp")
}

// TestOldJobsDropResults: the newest keepResults jobs keep their
// per-device results; older ones keep their counts only.
func TestOldJobsDropResults(t *testing.T) {
	f := newFixture(t, Config{})
	var ids []string
	for range keepResults + 2 {
		j := f.eng.Collect(context.Background())
		if j.State != "done" {
			t.Fatalf("collection %s: %s %s", j.ID, j.State, j.Error)
		}
		ids = append(ids, j.ID)
	}
	for i, id := range ids {
		j, ok := f.eng.Job(id)
		if !ok {
			t.Fatalf("job %s forgotten", id)
		}
		wantResults := i >= len(ids)-keepResults
		if got := len(j.Results) > 0; got != wantResults || j.Devices != 2 {
			t.Errorf("job %d of %d: %d results, %d devices; want results %v and 2 devices", i+1, len(ids), len(j.Results), j.Devices, wantResults)
		}
	}
}

// TestGoneDevicesForgotten: a collection's observations replace the last
// ones, so a device no longer polled — here one restored from the history
// but gone from the inventory since — is not kept for ever, nor are its
// uptime readings.
func TestGoneDevicesForgotten(t *testing.T) {
	f := newFixture(t, Config{})
	gone := collector.Key("gone-1", observation.SourceSNMP)
	now := time.Now().UTC()
	u := 100.0
	old := &observation.Device{ID: "gone-1", Source: observation.SourceSNMP, AttemptedAt: now, CollectedAt: now, UptimeSeconds: &u}
	f.eng.mu.Lock()
	f.eng.obs[gone] = old
	f.eng.boots.observe(old, gone)
	f.eng.mu.Unlock()
	f.collect(t)
	f.eng.mu.Lock()
	defer f.eng.mu.Unlock()
	_, kept := f.eng.obs[gone]
	_, readings := f.eng.boots.readings[gone]
	_, polled := f.eng.obs[collector.Key("sw-1", observation.SourceSNMP)]
	if kept || readings || !polled {
		t.Errorf("after a collection: gone-1 kept %v, its readings kept %v, sw-1 held %v; want false, false, true", kept, readings, polled)
	}
}
