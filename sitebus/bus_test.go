package sitebus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus/jsserver"
)

func startServer(t *testing.T) *server.Server {
	t.Helper()
	s, err := jsserver.Start(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connect(t *testing.T, url string, mod ...func(*Options)) *Bus {
	t.Helper()
	o := Options{URL: url, Name: t.Name(), Timeout: 2 * time.Second}
	for _, m := range mod {
		m(&o)
	}
	b, err := Connect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// waitFor polls cond every 10ms until it holds, failing after 20s (a
// bound against hanging, not a timed assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func obsOf(id, source string, at time.Time, inlet float64) observation.Device {
	return observation.Device{ID: id, Source: source, AttemptedAt: at, CollectedAt: at, InletCelsius: &inlet,
		PSUs: []observation.PSU{{ID: "PSU1", Condition: observation.OK}}}
}

// busInventory is the estate the tests' auditors judge the bucket by:
// switches over SNMP at site s1, servers over Redfish at s2, and one
// UPS placed on no site.
const busInventory = `version: 1
sites: [{id: s1}, {id: s2}]
racks: [{id: r1, site: s1}, {id: r2, site: s2}]
power:
  - {id: loose, kind: ups, management: {redfish: {endpoint: "https://127.0.0.1:8445", username: u, password: p}}}
devices:
  - {id: sw-1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1161", community: c}}}
  - {id: sw-2, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1162", community: c}}}
  - {id: sw.1, kind: switch, rack: r1, management: {snmp: {address: "127.0.0.1:1163", community: c}}}
  - {id: srv-1, kind: server, rack: r2, management: {redfish: {endpoint: "https://127.0.0.1:8443", username: u, password: p}}}
  - {id: srv-2, kind: server, rack: r2, management: {redfish: {endpoint: "https://127.0.0.1:8444", username: u, password: p}}}
`

func loadInventory(t testing.TB, yaml string) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Parse("inv.yaml", []byte(yaml), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// watch runs an auditor's Source over the bucket, judged by inv, until
// the test ends.
func watch(t *testing.T, b *Bus, inv *inventory.Inventory) *Source {
	t.Helper()
	src := b.Source(Policy{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = src.Watch(ctx, inv, func() {})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return src
}

// heldObs is the observation a Source holds for a device and source.
func heldObs(src *Source, id, source string) (observation.Device, bool) {
	obs, _ := src.Observations()
	for _, o := range obs {
		if o.ID == id && o.Source == source {
			return o, true
		}
	}
	return observation.Device{}, false
}

func runPublisher(t *testing.T, b *Bus) *Publisher {
	t.Helper()
	p := b.Publisher()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// TestPublishWatch: what a collector publishes reaches a watcher as the
// same observation, under SITE.DEVICE.SOURCE, in buckets created with the
// history asked for and one replica on a single server.
func TestPublishWatch(t *testing.T) {
	s := startServer(t)
	col := connect(t, s.ClientURL(), func(o *Options) { o.History = 3 })
	aud := connect(t, s.ClientURL())
	pub := runPublisher(t, col)
	inv := loadInventory(t, busInventory)
	src := watch(t, aud, inv)
	now := time.Now().UTC().Truncate(time.Millisecond)
	want := []observation.Device{obsOf("sw.1", "snmp", now, 25), obsOf("srv-1", "redfish", now, 31), obsOf("loose", "redfish", now, 20)}
	pub.Publish(inv, want)
	for _, w := range want {
		key := ObservationKey(inv.SiteOf(w.ID), w.ID, w.Source)
		waitFor(t, "observation "+key, func() bool { _, ok := heldObs(src, w.ID, w.Source); return ok })
		o, _ := heldObs(src, w.ID, w.Source)
		if d := cmp.Diff(w, o); d != "" {
			t.Errorf("%s (-published +received):\n%s", key, d)
		}
	}
	st, err := col.obs.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r := st.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas; st.History() != 3 || r != 1 {
		t.Errorf("bucket history %d replicas %d, want 3 and 1", st.History(), r)
	}
	for key, id := range map[string]string{"s1.sw=2E1.snmp": "sw.1", "=.loose.redfish": "loose"} {
		if e, err := col.obs.Get(context.Background(), key); err != nil {
			t.Errorf("key %s: %v", key, err)
		} else {
			var back observation.Device
			if err := json.Unmarshal(e.Value(), &back); err != nil || back.ID != id {
				t.Errorf("value is not the observation JSON: %s (%v)", e.Value(), err)
			}
		}
	}
}

// TestPublisherKeepsLatestAcrossOutage: while the server is down the
// publisher keeps only the latest observation per device; once the
// server is back, exactly that one is put.
func TestPublisherKeepsLatestAcrossOutage(t *testing.T) {
	dir := t.TempDir()
	s, err := jsserver.Start(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr().String()
	defer func() { s.Shutdown() }()
	b := connect(t, s.ClientURL())
	pub := runPublisher(t, b)
	inv := loadInventory(t, busInventory)
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	pub.Publish(inv, []observation.Device{obsOf("sw-1", "snmp", t0, 20)})
	waitFor(t, "first put", func() bool { return pub.Published.Load() == 1 })

	s.Shutdown()
	s.WaitForShutdown()
	waitFor(t, "disconnect", func() bool { return !b.Connected() })
	for i := 1; i <= 5; i++ {
		pub.Publish(inv, []observation.Device{obsOf("sw-1", "snmp", t0.Add(time.Duration(i)*time.Second), 20+float64(i)), obsOf("sw-2", "snmp", t0, 20)})
	}
	if n := pub.Pending(); n != 2 {
		t.Fatalf("%d observations pending while NATS is down, want 2 (the latest per device)", n)
	}
	if s, err = jsserver.Start(dir, addr); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pending sent after reconnect", func() bool { return pub.Pending() == 0 })
	hist, err := b.obs.History(context.Background(), ObservationKey("s1", "sw-1", "snmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 {
		t.Fatalf("sw-1 has %d revisions, want 2 (before the outage, and the latest after it)", len(hist))
	}
	last, err := DecodeObservation(hist[1].Key(), hist[1].Value())
	if err != nil || *last.InletCelsius != 25 {
		t.Fatalf("last revision %+v (%v), want the 5th observation", last, err)
	}
	if b.Reconnects.Load() == 0 {
		t.Error("no reconnect counted")
	}
}

// TestSourceSkipsBadEntries: entries that are not an observation under
// their own key are refused and counted as malformed; the good ones are
// held.
func TestSourceSkipsBadEntries(t *testing.T) {
	s := startServer(t)
	b := connect(t, s.ClientURL())
	ctx := context.Background()
	good, _ := json.Marshal(obsOf("sw-1", "snmp", time.Now().UTC(), 20))
	other, _ := json.Marshal(obsOf("sw-1", "snmp", time.Now().UTC(), 20))
	for k, v := range map[string][]byte{
		"s1.sw-2.snmp":   []byte("{not json"),
		"s1.sw.1.snmp":   other, // not a key: four tokens
		"s1.sw=2E1.snmp": other, // another device's observation
		"s1.sw=ZZ.snmp":  good,
		"s1.sw-1.snmp":   good,
	} {
		if _, err := b.obs.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	src := watch(t, b, loadInventory(t, busInventory))
	waitFor(t, "good entry and four rejections", func() bool {
		_, ok := heldObs(src, "sw-1", "snmp")
		return ok && src.Rejected(ReasonMalformed) == 4
	})
	if obs, _ := src.Observations(); len(obs) != 1 {
		t.Errorf("held %d observations, want only sw-1", len(obs))
	}
}

// TestFirstSeenShared: two auditors recording the same findings at
// different times agree on the first; a finding resolved and seen again
// gets a new first_seen, the same for both.
func TestFirstSeenShared(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The test plays an hour in a moment: records may be dated up to
	// two hours after they are stored.
	skew := func(o *Options) { o.MaxSkew = 2 * time.Hour }
	a := connect(t, s.ClientURL(), skew).FirstSeen(ctx)
	b := connect(t, s.ClientURL(), skew).FirstSeen(ctx)
	t0 := time.Now().UTC().Truncate(time.Second)
	ids := []string{"spof/feed-a", "stale/sw.2", "raid-degraded/db-1/data"}

	var wg sync.WaitGroup
	var ga, gb map[string]time.Time
	var ea, eb error
	wg.Add(2)
	go func() { defer wg.Done(); ga, ea = a.Record(ctx, t0, ids) }()
	go func() { defer wg.Done(); gb, eb = b.Record(ctx, t0.Add(time.Second), ids) }()
	wg.Wait()
	if ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	if d := cmp.Diff(ga, gb); d != "" {
		t.Fatalf("auditors disagree (-a +b):\n%s", d)
	}
	for _, id := range ids {
		if !ga[id].Equal(t0) && !ga[id].Equal(t0.Add(time.Second)) {
			t.Errorf("%s first seen %v", id, ga[id])
		}
	}
	// b, later, still agrees; then the drive is replaced: both resolve it.
	t1 := t0.Add(time.Minute)
	if got, err := b.Record(ctx, t1, ids); err != nil || !got[ids[2]].Equal(ga[ids[2]]) {
		t.Fatalf("b later: %v %v", got, err)
	}
	if _, err := a.Record(ctx, t1, ids[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Record(ctx, t1, ids[:2]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b learns the resolution", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.cache[EscapeKey(ids[2])].rec.ResolvedAt != nil
	})
	// It fails again an hour later: a new first_seen, shared.
	t2 := t0.Add(time.Hour)
	got1, err := b.Record(ctx, t2, ids)
	if err != nil {
		t.Fatal(err)
	}
	if !got1[ids[2]].Equal(t2) {
		t.Errorf("reopened finding first seen %v, want %v", got1[ids[2]], t2)
	}
	waitFor(t, "a learns the reopened finding", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		e, ok := a.cache[EscapeKey(ids[2])]
		return ok && e.rec.ResolvedAt == nil && e.rec.FirstSeen.Equal(t2)
	})
	got2, err := a.Record(ctx, t2.Add(time.Second), ids)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(got1, got2); d != "" {
		t.Errorf("after reopening, auditors disagree (-b +a):\n%s", d)
	}
}

// TestSecretsNotLogged: a password in the URL appears neither in the
// log nor in the error of a refused connection.
func TestSecretsNotLogged(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		Username: "faultline", Password: "hunter2-secret", NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	defer srv.Shutdown()
	port := srv.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndex(port, ":")+1:]
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	good := fmt.Sprintf("nats://faultline:hunter2-secret@127.0.0.1:%s", port)
	b, err := Connect(context.Background(), Options{URL: good, Logger: log, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	_, err = Connect(context.Background(), Options{URL: fmt.Sprintf("nats://faultline:wrong-secret@127.0.0.1:%s", port), Logger: log, Timeout: 2 * time.Second})
	if err == nil {
		t.Fatal("a wrong password connected")
	}
	for _, secret := range []string{"hunter2-secret", "wrong-secret"} {
		if strings.Contains(logs.String(), secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s leaked:\nlog: %s\nerror: %v", secret, logs.String(), err)
		}
	}
	if !strings.Contains(err.Error(), "REDACTED@127.0.0.1") {
		t.Errorf("error does not say where: %v", err)
	}
	if got := Redact("nats://u:p@h:1, tls://h2:2,nats://tok@h3"); got != "nats://REDACTED@h:1,tls://h2:2,nats://REDACTED@h3" {
		t.Errorf("Redact: %s", got)
	}
}

// syncBuffer is a log sink the connection's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FuzzDecodeObservation: any bucket entry decodes or is an error; what
// decodes is an observation of the device and source its key names.
func FuzzDecodeObservation(f *testing.F) {
	good, _ := json.Marshal(obsOf("sw-1", "snmp", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 20))
	f.Add("sw-1.snmp", good)
	f.Add("s1.sw-1.snmp", good)
	f.Add("sw-1.snmp", []byte(`{"id":"sw-1","source":"snmp"} {}`))
	f.Add("x.redfish", []byte(`{"id":"x","source":"redfish","psus":[{"id":"1","slot":"a"}]}`))
	f.Fuzz(func(t *testing.T, key string, value []byte) {
		o, err := DecodeObservation(key, value)
		if err != nil {
			return
		}
		k, _ := ParseObservationKey(key)
		if k.Device != o.ID || k.Source != o.Source || k.String() != key {
			t.Fatalf("%q decoded as %q from %q", key, o.ID, o.Source)
		}
	})
}

func newTestLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
