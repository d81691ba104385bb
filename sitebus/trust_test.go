package sitebus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/observation"
)

// The tricks of an attacker (or a broken collector) who can write to the
// observations bucket, each against a real JetStream server.

func put(t *testing.T, b *Bus, key string, o any) {
	t.Helper()
	data, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.obs.Put(context.Background(), key, data); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func psus(n int, failed int) []observation.PSU {
	out := make([]observation.PSU, n)
	for i := range out {
		out[i] = observation.PSU{ID: fmt.Sprintf("PSU%d", i+1), Condition: observation.OK}
	}
	if failed > 0 {
		out[failed-1].Condition = observation.Failed
	}
	return out
}

func serverObs(id string, at time.Time, p []observation.PSU) observation.Device {
	return observation.Device{ID: id, Source: observation.SourceRedfish, AttemptedAt: at, CollectedAt: at, PSUs: p}
}

// state is what a Source holds, for comparing two auditors.
func state(src *Source) map[string]observation.Device {
	obs, _ := src.Observations()
	out := map[string]observation.Device{}
	for _, o := range obs {
		out[o.ID+"/"+o.Source] = o
	}
	return out
}

func psuCondition(src *Source, id, psu string) observation.Condition {
	o, ok := heldObs(src, id, observation.SourceRedfish)
	if !ok {
		return "(none)"
	}
	for _, p := range o.PSUs {
		if p.ID == psu {
			return p.Condition
		}
	}
	return "(no such psu)"
}

// TestFutureEntryRejected: an entry dated 2099 neither clears a real
// failure nor shadows the genuine entries put after it; an auditor that
// saw everything and one started afterwards hold the same; a purge
// removes the observation at both.
func TestFutureEntryRejected(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL())
	inv := loadInventory(t, busInventory)
	early := watch(t, connect(t, s.ClientURL()), inv)
	key := ObservationKey("s2", "srv-1", observation.SourceRedfish)
	now := time.Now().UTC().Truncate(time.Millisecond)

	put(t, col, key, serverObs("srv-1", now, psus(2, 2))) // PSU2 really failed
	waitFor(t, "the failure", func() bool { return psuCondition(early, "srv-1", "PSU2") == observation.Failed })
	put(t, col, key, serverObs("srv-1", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), psus(2, 0)))
	waitFor(t, "the forgery refused", func() bool { return early.Rejected(ReasonFuture) == 1 })
	late := watch(t, connect(t, s.ClientURL()), inv)
	waitFor(t, "the late auditor loaded", func() bool { _, loaded := late.Observations(); return loaded })
	for name, src := range map[string]*Source{"early": early, "late": late} {
		if c := psuCondition(src, "srv-1", "PSU2"); c != observation.Failed {
			t.Errorf("%s auditor: PSU2 %s after the forged entry, want the genuine failure kept", name, c)
		}
	}
	// The collector's next entries, stored after the forgery, are used.
	for i := 1; i <= 3; i++ {
		put(t, col, key, serverObs("srv-1", now.Add(time.Duration(i)*time.Second), psus(2, 2)))
	}
	want := now.Add(3 * time.Second)
	for name, src := range map[string]*Source{"early": early, "late": late} {
		waitFor(t, name+" takes the genuine entries after the forgery", func() bool {
			o, ok := heldObs(src, "srv-1", observation.SourceRedfish)
			return ok && o.AttemptedAt.Equal(want)
		})
	}
	if d := cmp.Diff(state(early), state(late)); d != "" {
		t.Errorf("the auditors disagree (-early +late):\n%s", d)
	}
	// A collector whose clock runs a minute ahead is within the skew.
	put(t, col, key, serverObs("srv-1", time.Now().UTC().Add(time.Minute), psus(2, 0)))
	waitFor(t, "a minute ahead accepted", func() bool { return psuCondition(early, "srv-1", "PSU2") == observation.OK })

	if err := col.obs.Purge(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]*Source{"early": early, "late": late} {
		waitFor(t, name+" drops the purged observation", func() bool { _, ok := heldObs(src, "srv-1", observation.SourceRedfish); return !ok })
	}
	// And a third auditor, started after the purge, holds nothing either.
	third := watch(t, connect(t, s.ClientURL()), inv)
	waitFor(t, "the third auditor loaded", func() bool { _, loaded := third.Observations(); return loaded })
	if d := cmp.Diff(state(early), state(third)); d != "" {
		t.Errorf("after the purge the auditors disagree (-early +third):\n%s", d)
	}
}

// TestOnlyWhatTheInventoryPolls: entries for devices the inventory does
// not hold, over sources it does not poll, under another site's key, or
// over the collectors' budgets are refused by reason and held nowhere;
// an inventory that polls more lets them in.
func TestOnlyWhatTheInventoryPolls(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL())
	now := time.Now().UTC().Truncate(time.Millisecond)
	snmpObs := func(id string) observation.Device { return obsOf(id, observation.SourceSNMP, now, 20) }
	entries := []struct {
		key    string
		value  observation.Device
		reason string
	}{
		{ObservationKey("s1", "sw-1", "snmp"), snmpObs("sw-1"), ""},
		{ObservationKey("", "loose", "redfish"), serverObs("loose", now, psus(2, 0)), ""},
		{ObservationKey("s1", "sw-1", "redfish"), serverObs("sw-1", now, psus(2, 1)), ReasonUnpolledSource},
		{ObservationKey("s2", "srv-1", "snmp"), snmpObs("srv-1"), ReasonUnpolledSource},
		{ObservationKey("s2", "sw-2", "snmp"), snmpObs("sw-2"), ReasonWrongSite},
		{ObservationKey("s1", "loose", "redfish"), serverObs("loose", now, psus(2, 0)), ReasonWrongSite},
		{ObservationKey("s1", "ghost-1", "snmp"), snmpObs("ghost-1"), ReasonUnknownDevice},
		{ObservationKey("s2", "srv-2", "redfish"), serverObs("srv-2", now, psus(6000, 3)), ReasonTooLarge},
		{ObservationKey("s2", "srv-1", "redfish"), serverObs("srv-1", time.Time{}, nil), ReasonMalformed},
	}
	for _, e := range entries {
		put(t, col, e.key, e.value)
	}
	inv := loadInventory(t, busInventory)
	src := watch(t, connect(t, s.ClientURL()), inv)
	waitFor(t, "the bucket read", func() bool { _, loaded := src.Observations(); return loaded })
	want := map[string]uint64{}
	for _, e := range entries {
		if e.reason != "" {
			want[e.reason]++
		}
	}
	for _, r := range Reasons {
		if got := src.Rejected(r); got != want[r] {
			t.Errorf("rejected %s: %d, want %d", r, got, want[r])
		}
	}
	if got := state(src); len(got) != 2 || got["sw-1/snmp"].ID != "sw-1" || got["loose/redfish"].ID != "loose" {
		t.Errorf("held %v, want sw-1 over snmp and loose over redfish only", got)
	}

	// The inventory now polls sw-1 over Redfish too, holds ghost-1 and
	// srv-2 moved to s1: read again, those entries are in.
	more := strings.Replace(busInventory, `- {id: sw-1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1161", community: c}}}`,
		`- {id: sw-1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1161", community: c}, redfish: {endpoint: "https://127.0.0.1:8446", username: u, password: p}}}
  - {id: ghost-1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1164", community: c}}}`, 1)
	more = strings.Replace(more, "- {id: sw-2, kind: switch, rack: r1,", "- {id: sw-2, kind: switch, rack: r2,", 1)
	src.SetInventory(loadInventory(t, more))
	waitFor(t, "the entries the new inventory expects", func() bool {
		got := state(src)
		return len(got) == 5 && got["sw-1/redfish"].ID == "sw-1" && got["ghost-1/snmp"].ID == "ghost-1" && got["sw-2/snmp"].ID == "sw-2"
	})
}

// TestValueSizeBounded: a value over the policy's size is refused
// before it is decoded.
func TestValueSizeBounded(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL())
	now := time.Now().UTC()
	o := serverObs("srv-1", now, psus(2, 0))
	o.Warnings = []string{strings.Repeat("x", 100<<10)}
	put(t, col, ObservationKey("s2", "srv-1", "redfish"), o)
	put(t, col, ObservationKey("s2", "srv-2", "redfish"), serverObs("srv-2", now, psus(2, 0)))
	src := connect(t, s.ClientURL()).Source(Policy{MaxValueBytes: 64 << 10})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = src.Watch(ctx, loadInventory(t, busInventory), func() {}) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "one refused, one held", func() bool {
		_, ok := heldObs(src, "srv-2", "redfish")
		return ok && src.Rejected(ReasonTooLarge) == 1
	})
	if _, ok := heldObs(src, "srv-1", "redfish"); ok {
		t.Error("the oversized value is held")
	}
}

// TestLegacyKeys: a DEVICE.SOURCE key of the previous release is read
// while no key with the site exists for that device and source; once the
// collector writes SITE.DEVICE.SOURCE, that wins.
func TestLegacyKeys(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL())
	inv := loadInventory(t, busInventory)
	now := time.Now().UTC().Truncate(time.Millisecond)
	put(t, col, LegacyObservationKey("sw-2", "snmp"), obsOf("sw-2", "snmp", now, 30))
	put(t, col, LegacyObservationKey("ghost", "snmp"), obsOf("ghost", "snmp", now, 30))
	src := watch(t, connect(t, s.ClientURL()), inv)
	waitFor(t, "the legacy key read", func() bool { o, ok := heldObs(src, "sw-2", "snmp"); return ok && *o.InletCelsius == 30 })
	if src.Rejected(ReasonUnknownDevice) != 1 {
		t.Errorf("a legacy key of a device not in the inventory: %d refused, want 1", src.Rejected(ReasonUnknownDevice))
	}
	pub := runPublisher(t, col)
	pub.Publish(inv, []observation.Device{obsOf("sw-2", "snmp", now.Add(-time.Minute), 31)})
	waitFor(t, "the site key wins", func() bool { o, ok := heldObs(src, "sw-2", "snmp"); return ok && *o.InletCelsius == 31 })
	if obs, _ := src.Observations(); len(obs) != 1 {
		t.Errorf("held %d observations of sw-2, want 1", len(obs))
	}
}

// TestFirstSeenPlausible: forged first_seen records (the year 2999, the
// year 1970) are not adopted: the first auditor to see the finding open
// replaces them, and every auditor then agrees on the new time.
func TestFirstSeenPlausible(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	forger := connect(t, s.ClientURL())
	for key, at := range map[string]time.Time{
		EscapeKey("spof/web/feed-a"): time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC),
		EscapeKey("stale/sw-1"):      time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		data, _ := json.Marshal(findingRecord{FirstSeen: at})
		if _, err := forger.find.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	stray, _ := json.Marshal(findingRecord{FirstSeen: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := forger.find.Put(ctx, EscapeKey("spof/nothing-open"), stray); err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(findingRecord{FirstSeen: time.Now().UTC().Add(-time.Second).Truncate(time.Second)})
	if _, err := forger.find.Put(ctx, EscapeKey("drift/sw-2"), good); err != nil {
		t.Fatal(err)
	}
	a := connect(t, s.ClientURL())
	fa := a.FirstSeen(ctx)
	ids := []string{"spof/web/feed-a", "stale/sw-1", "drift/sw-2"}
	now := time.Now().UTC()
	got, err := fa.Record(ctx, now, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if !got[id].Equal(now) {
			t.Errorf("%s first seen %v, want now (%v): the forged record adopted", id, got[id], now)
		}
	}
	var rec findingRecord
	if e, err := forger.find.Get(ctx, EscapeKey("drift/sw-2")); err != nil || json.Unmarshal(e.Value(), &rec) != nil || !got["drift/sw-2"].Equal(rec.FirstSeen) {
		t.Errorf("a plausible record not adopted: %v, want %v", got["drift/sw-2"], rec.FirstSeen)
	}
	if n := a.FirstSeenRejected.Load(); n != 3 {
		t.Errorf("%d records refused, want 3", n)
	}
	if _, err := forger.find.Get(ctx, EscapeKey("spof/nothing-open")); err == nil {
		t.Error("an implausible record of a finding not open was kept")
	}
	fb := connect(t, s.ClientURL()).FirstSeen(ctx)
	gotB, err := fb.Record(ctx, now.Add(time.Second), ids)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got, gotB); d != "" {
		t.Errorf("a second auditor disagrees (-first +second):\n%s", d)
	}
}

// TestCollectorOpensNoFindings: a collector neither opens nor creates
// the findings bucket.
func TestCollectorOpensNoFindings(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL(), func(o *Options) { o.CollectOnly = true })
	if col.find != nil {
		t.Fatal("the collector opened the findings bucket")
	}
	if _, err := col.js.KeyValue(context.Background(), FindingsBucket); err != jetstream.ErrBucketNotFound {
		t.Fatalf("findings bucket after a collector connected: %v, want it absent", err)
	}
	if _, err := col.BucketReplicas(context.Background(), FindingsBucket); err == nil {
		t.Error("BucketReplicas of the findings bucket on a collector: no error")
	}
}
