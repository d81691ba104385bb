package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// chanSource holds what the test sends, the latest per device and
// source, as a bucket would.
type chanSource struct {
	in    chan observation.Device
	mu    sync.Mutex
	state map[string]observation.Device
	invs  atomic.Int64 // SetInventory calls
}

func newChanSource() *chanSource {
	return &chanSource{in: make(chan observation.Device), state: map[string]observation.Device{}}
}

func (c *chanSource) Watch(ctx context.Context, _ *inventory.Inventory, changed func()) error {
	changed()
	for {
		select {
		case <-ctx.Done():
			return nil
		case o := <-c.in:
			c.mu.Lock()
			c.state[collector.Key(o.ID, o.Source)] = o
			c.mu.Unlock()
			changed()
		}
	}
}

func (c *chanSource) SetInventory(*inventory.Inventory) { c.invs.Add(1) }

func (c *chanSource) Observations() ([]observation.Device, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []observation.Device
	for _, o := range c.state {
		out = append(out, o)
	}
	return out, true
}

type recordSink struct {
	mu  sync.Mutex
	got []observation.Device
}

func (r *recordSink) Publish(_ *inventory.Inventory, obs []observation.Device) {
	r.mu.Lock()
	r.got = append(r.got, obs...)
	r.mu.Unlock()
}

// TestSinkAndTargets: an engine polling a share publishes exactly the
// share's observations to its sink.
func TestSinkAndTargets(t *testing.T) {
	sink := &recordSink{}
	f := newFixture(t, Config{Sink: sink, Targets: func(inv *inventory.Inventory) []collector.Target {
		var out []collector.Target
		for _, tg := range collector.Targets(inv) {
			if tg.ID == "sw-2" {
				out = append(out, tg)
			}
		}
		return out
	}})
	f.collect(t)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.got) != 1 || sink.got[0].ID != "sw-2" || sink.got[0].Error != "" {
		t.Fatalf("published %+v, want sw-2's observation only", sink.got)
	}
}

// TestSourceAuditsDebounced: observations from a Source are audited on
// arrival, and a storm of them causes at most one audit per AuditEvery
// (plus the first, at once).
func TestSourceAuditsDebounced(t *testing.T) {
	var audits atomic.Int64
	src := newChanSource()
	every := 100 * time.Millisecond
	f := newFixture(t, Config{Source: src, AuditEvery: every, OnSnapshot: func(*Snapshot) { audits.Add(1) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.eng.Run(ctx) }()
	defer func() { cancel(); <-done }()

	base := audits.Load()
	start := time.Now()
	at := time.Now().UTC()
	for i := range 500 {
		at = at.Add(time.Millisecond)
		src.in <- observation.Device{ID: "sw-1", Source: "snmp", AttemptedAt: at, CollectedAt: at, Error: "", Requests: i}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := f.eng.Snapshot()
		if len(s.Observations) == 1 && s.Observations[0].Requests == 499 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last observation never reached the audit: %+v", s.Observations)
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := audits.Load() - base
	limit := int64(elapsed/every) + 2 // one per interval, the leading one, the trailing one
	if n < 1 || n > limit {
		t.Fatalf("%d audits for 500 updates over %s, want 1..%d", n, elapsed.Round(time.Millisecond), limit)
	}
	// The Source's state is what the engine audits: a device it no
	// longer holds (a purged key) is gone from the audit too, and the
	// device is unknown again.
	src.mu.Lock()
	delete(src.state, collector.Key("sw-1", "snmp"))
	src.mu.Unlock()
	src.in <- observation.Device{ID: "ghost", Source: "snmp", AttemptedAt: at, CollectedAt: at}
	waitSnap(t, f.eng, "sw-1 dropped, the ghost not audited", func(s *Snapshot) bool { return len(s.Observations) == 0 })
}

// TestReloadTellsSource: an inventory reload makes the Source judge
// its state again under the new inventory.
func TestReloadTellsSource(t *testing.T) {
	src := newChanSource()
	f := newFixture(t, Config{Source: src, AuditEvery: 10 * time.Millisecond})
	before := src.invs.Load()
	if err := f.eng.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := src.invs.Load() - before; n != 1 {
		t.Fatalf("SetInventory called %d times on a reload, want 1", n)
	}
}

// waitSnap polls the engine's snapshot until cond holds (a bound against
// hanging, not a timed assertion).
func waitSnap(t *testing.T, eng *Engine, what string, cond func(*Snapshot) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(eng.Snapshot()) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type memFirstSeen struct {
	mu    sync.Mutex
	first map[string]time.Time
}

func (m *memFirstSeen) Record(_ context.Context, now time.Time, open []string) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]time.Time{}
	for _, id := range open {
		if _, ok := m.first[id]; !ok {
			m.first[id] = now
		}
		out[id] = m.first[id]
	}
	return out, nil
}

// TestFirstSeenStore: findings take first_seen from the shared store.
func TestFirstSeenStore(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	store := &memFirstSeen{first: map[string]time.Time{"stale/sw-1": t0}}
	f := newFixture(t, Config{FirstSeen: store})
	s := f.eng.Snapshot()
	var found bool
	for _, fd := range s.Report.Findings {
		if fd.FirstSeen == nil {
			t.Errorf("%s has no first_seen", fd.ID)
			continue
		}
		if fd.ID == "stale/sw-1" {
			found = true
			if !fd.FirstSeen.Equal(t0) {
				t.Errorf("stale/sw-1 first seen %v, want the store's %v", fd.FirstSeen, t0)
			}
		}
	}
	if !found {
		t.Fatal("no stale/sw-1 finding before any collection")
	}
}

// TestCollectOnly: a collect-only engine collects, feeds its sink and
// records its collections in its snapshots, but never audits; an auditor
// fed by its sink audits every device it collected.
func TestCollectOnly(t *testing.T) {
	sink := &recordSink{}
	var snaps atomic.Int64
	f := newFixture(t, Config{CollectOnly: true, Sink: sink, OnSnapshot: func(s *Snapshot) {
		snaps.Add(1)
		if s.Report != nil || s.Analysis != nil || s.Observed != nil || !s.AuditedAt.IsZero() {
			t.Errorf("snapshot %d of a collect-only engine was audited", s.Seq)
		}
	}})
	if s := f.eng.Snapshot(); s.Report != nil || s.Analysis != nil {
		t.Fatal("a collect-only engine audited at start")
	}
	targets := len(collector.Targets(f.eng.Snapshot().Inventory))
	for i := range 3 {
		s := f.collect(t)
		if s.Report != nil || s.Analysis != nil || s.Observed != nil || !s.AuditedAt.IsZero() {
			t.Fatalf("collection %d: the collect-only engine audited", i)
		}
		if s.Collection == nil || s.Collection.Devices != targets || s.Collection.Failed != 0 || len(s.Observations) != targets {
			t.Fatalf("collection %d: snapshot collection %+v with %d observations, want %d devices", i, s.Collection, len(s.Observations), targets)
		}
	}
	if n := snaps.Load(); n != 4 {
		t.Errorf("%d snapshots, want 4 (at start and after each of 3 collections)", n)
	}
	if err := f.eng.Reload(context.Background()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if s := f.eng.Snapshot(); s.Report != nil || !s.Reload.OK {
		t.Fatalf("reload of a collect-only engine: report %v, reload %+v", s.Report != nil, s.Reload)
	}
	if _, err := f.eng.WhatIf([]string{"pdu-a"}); err == nil {
		t.Error("what-if on a collect-only engine: no error")
	}

	sink.mu.Lock()
	published := append([]observation.Device(nil), sink.got...)
	sink.mu.Unlock()
	if len(published) != 3*targets {
		t.Fatalf("published %d observations, want %d", len(published), 3*targets)
	}
	src := newChanSource()
	aud, err := New(context.Background(), Config{InventoryFile: f.eng.cfg.InventoryFile, WatchInterval: -1, Source: src, AuditEvery: 10 * time.Millisecond,
		Targets: func(*inventory.Inventory) []collector.Target { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer aud.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = aud.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for _, o := range published[2*targets:] {
		src.in <- o
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := aud.Snapshot()
		if s.Report != nil && s.Observed != nil && s.Observed.Seen == targets {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the auditor never audited all %d collected devices (last: %+v)", targets, s.Observed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
