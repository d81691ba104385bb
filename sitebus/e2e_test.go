package sitebus_test

import (
	"context"
	"net"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus"
	"github.com/faultline/faultline/sitebus/jsserver"
)

const (
	interval   = 500 * time.Millisecond
	staleAfter = 2 * time.Second
)

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// estate is a two-site lab with its inventory.
type estate struct {
	path string
	inv  *inventory.Inventory
	lab  *lab.Lab
}

func newEstate(t *testing.T) *estate {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sites.yaml")
	spec := lab.SitesSpec{Sites: 2, RacksPerSite: 1, ServersPerRack: 1, SNMPPort: freePort(t, "udp"), RedfishPort: freePort(t, "tcp")}
	if err := lab.WriteSites(path, spec); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(inv, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return &estate{path: path, inv: inv, lab: l}
}

func (e *estate) pollers() []collector.Poller {
	return []collector.Poller{
		snmp.New(snmp.Options{RequestTimeout: 300 * time.Millisecond, Retries: 1}),
		redfish.New(redfish.Options{RootCAs: e.lab.RootCAs()}),
	}
}

// node is one running engine: a collector, an auditor, or the reference.
type node struct {
	eng  *engine.Engine
	bus  *sitebus.Bus
	stop func()
}

func (e *estate) start(t *testing.T, cfg engine.Config, bus *sitebus.Bus, extra func(ctx context.Context)) *node {
	t.Helper()
	cfg.InventoryFile, cfg.Interval, cfg.StaleAfter, cfg.WatchInterval = e.path, interval, staleAfter, -1
	cfg.Collect = collector.Options{Timeout: 2 * time.Second}
	eng, err := engine.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if extra != nil {
			go extra(ctx)
		}
		_ = eng.Run(ctx)
	}()
	n := &node{eng: eng, bus: bus}
	var stopped bool
	n.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		eng.Close()
		if bus != nil {
			bus.Close()
		}
	}
	t.Cleanup(n.stop)
	return n
}

func connect(t *testing.T, urls, name string) *sitebus.Bus {
	t.Helper()
	b, err := sitebus.Connect(context.Background(), sitebus.Options{URL: urls, Name: name, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *estate) collector(t *testing.T, urls, site string) *node {
	b := connect(t, urls, "collector "+site)
	pub := b.Publisher()
	return e.start(t, engine.Config{Pollers: e.pollers(), Targets: sitebus.SiteShare(site).Targets, Sink: pub}, b, pub.Run)
}

func (e *estate) auditor(t *testing.T, urls, name string) *node {
	b := connect(t, urls, name)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return e.start(t, engine.Config{
		Pollers: e.pollers(), Targets: func(*inventory.Inventory) []collector.Target { return nil },
		Source: b.Source(sitebus.Policy{}), FirstSeen: b.FirstSeen(ctx), AuditEvery: interval,
	}, b, nil)
}

// finding is what must agree between processes: everything but
// first_seen (which the reference does not share) and the message's
// wording of ages.
type finding struct{ ID, Rule, Severity, Subject string }

func findings(s *engine.Snapshot) []finding {
	var out []finding
	for _, f := range s.Report.Findings {
		out = append(out, finding{f.ID, f.Rule, string(f.Severity), f.Subject})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func has(s *engine.Snapshot, id string) bool {
	for _, f := range s.Report.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

// eventually polls cond every 20ms, failing after limit (a bound against
// hanging, not a timed assertion); it returns how long it took.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("gave up after %s waiting: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestCluster: a 3-node JetStream cluster, a collector per site and two
// auditors. The auditors agree with one process polling everything and
// with each other (first_seen included); a fault at one site reaches both;
// a NATS node killed loses nothing; a collector killed leaves its devices
// stale with their last observation kept.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a NATS cluster and two sites of simulated devices")
	}
	e := newEstate(t)
	nodes, err := jsserver.StartCluster(t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		t.Cleanup(n.Shutdown)
	}
	all := jsserver.URLs(nodes...)
	// Each client is given every server; nats.go picks one at random and
	// moves to another when it goes.
	col1 := e.collector(t, all, lab.SiteID(0))
	col2 := e.collector(t, all, lab.SiteID(1))
	audA := e.auditor(t, all, "auditor A")
	audB := e.auditor(t, all, "auditor B")
	ref := e.start(t, engine.Config{Pollers: e.pollers()}, nil, nil)

	checkReplicas(t, all)

	managed := len(collector.Targets(e.inv))
	agree := func() bool {
		r, a, b := ref.eng.Snapshot(), audA.eng.Snapshot(), audB.eng.Snapshot()
		return r.Collection != nil && len(a.Observations) == managed && len(b.Observations) == managed &&
			cmp.Equal(findings(r), findings(a)) && cmp.Equal(findings(a), findings(b))
	}
	eventually(t, 30*time.Second, "auditors agree with the single process", agree)
	a := audA.eng.Snapshot()
	if d := cmp.Diff(findings(ref.eng.Snapshot()), findings(a)); d != "" {
		t.Fatalf("auditor and single process differ (-single +auditor):\n%s", d)
	}
	if len(a.Report.Findings) == 0 {
		t.Fatal("no findings at all: the estate must have some for the comparison to mean anything")
	}
	firstSeen := func(s *engine.Snapshot) map[string]time.Time {
		m := map[string]time.Time{}
		for _, f := range s.Report.Findings {
			if f.FirstSeen != nil {
				m[f.ID] = *f.FirstSeen
			}
		}
		return m
	}
	eventually(t, 10*time.Second, "auditors share first_seen", func() bool {
		fa, fb := firstSeen(audA.eng.Snapshot()), firstSeen(audB.eng.Snapshot())
		return len(fa) == len(audA.eng.Snapshot().Report.Findings) && cmp.Equal(fa, fb)
	})

	// A fault at site 1 reaches both auditors.
	srv1 := lab.SiteID(0) + "-r1-srv-1"
	if err := e.lab.Inject(srv1, lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	want := "component-failed/" + srv1 + "/PSU2"
	took := eventually(t, 20*time.Second, want+" at both auditors", func() bool {
		return has(audA.eng.Snapshot(), want) && has(audB.eng.Snapshot(), want)
	})
	t.Logf("a fault at site 1 reached both auditors %s after its injection (interval %s)", took.Round(time.Millisecond), interval)

	// One NATS node dies: nothing is lost, and changes keep flowing.
	nodes[0].Shutdown()
	nodes[0].WaitForShutdown()
	tor2 := lab.SiteID(1) + "-r1-tor-a"
	if err := e.lab.Inject(tor2, lab.Fault{Kind: "psu-fail", Part: "PSU1"}); err != nil {
		t.Fatal(err)
	}
	want2 := "component-failed/" + tor2 + "/PSU1"
	took = eventually(t, 40*time.Second, want2+" at both auditors after a NATS node died", func() bool {
		return has(audA.eng.Snapshot(), want2) && has(audB.eng.Snapshot(), want2)
	})
	t.Logf("with a NATS node down, a fault at site 2 reached both auditors in %s", took.Round(time.Millisecond))
	checkKeys(t, jsserver.URLs(nodes[1:]...), managed)
	eventually(t, 20*time.Second, "auditors agree, first_seen included, with a node down", func() bool {
		sa, sb := audA.eng.Snapshot(), audB.eng.Snapshot()
		return cmp.Equal(findings(sa), findings(sb)) && cmp.Equal(firstSeen(sa), firstSeen(sb)) && len(firstSeen(sa)) == len(sa.Report.Findings)
	})
	for _, n := range []*node{audA, audB} {
		if !has(n.eng.Snapshot(), want) {
			t.Errorf("%s lost after the node died", want)
		}
	}

	// Site 1's collector dies: its devices go stale at both auditors,
	// their last observation kept (with the failed PSU it last saw).
	col1.stop()
	site1 := sitebus.SiteShare(lab.SiteID(0)).Targets(e.inv)
	eventually(t, 20*time.Second, "site 1's devices stale at both auditors", func() bool {
		for _, n := range []*node{audA, audB} {
			for _, tg := range site1 {
				if !has(n.eng.Snapshot(), "stale/"+tg.ID) {
					return false
				}
			}
		}
		return true
	})
	eventually(t, 20*time.Second, "auditors agree after the collector died", func() bool {
		return cmp.Equal(findings(audA.eng.Snapshot()), findings(audB.eng.Snapshot()))
	})
	for _, n := range []*node{audA, audB} {
		s := n.eng.Snapshot()
		for _, tg := range sitebus.SiteShare(lab.SiteID(1)).Targets(e.inv) {
			if has(s, "stale/"+tg.ID) {
				t.Errorf("site 2's %s is stale though its collector runs", tg.ID)
			}
		}
		for _, tg := range site1 {
			var kept bool
			for _, o := range s.Observations {
				kept = kept || (o.ID == tg.ID && o.HasData())
			}
			if !kept {
				t.Errorf("%s: its last observation is gone", tg.ID)
			}
		}
		// The kept observation is the last one polled: PSU2 failed.
		if o := observationOf(s, srv1, "redfish"); o == nil || !psuFailed(o, "PSU2") {
			t.Errorf("%s: the kept observation does not show the PSU it last saw failed: %+v", srv1, o)
		}
		// What is known stays known: the stale device's last known
		// fault is still reported beside its stale finding.
		if !has(s, want) {
			t.Errorf("stale %s: its last known fault %s is no longer reported", srv1, want)
		}
	}
	_ = col2
}

func observationOf(s *engine.Snapshot, id, source string) *observation.Device {
	for i := range s.Observations {
		if o := &s.Observations[i]; o.ID == id && o.Source == source {
			return o
		}
	}
	return nil
}

func psuFailed(o *observation.Device, id string) bool {
	for _, p := range o.PSUs {
		if p.ID == id || p.Name == id {
			return p.Condition == observation.Failed
		}
	}
	return false
}

// checkReplicas: the buckets were created with three replicas.
func checkReplicas(t *testing.T, urls string) {
	t.Helper()
	b := connect(t, urls, "check")
	defer b.Close()
	for _, name := range []string{sitebus.ObservationsBucket, sitebus.FindingsBucket} {
		r, err := b.BucketReplicas(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if r != 3 {
			t.Errorf("%s has %d replicas, want 3 on a 3-node cluster", name, r)
		}
	}
}

// checkKeys: every managed device's observation is in the bucket.
func checkKeys(t *testing.T, urls string, want int) {
	t.Helper()
	b := connect(t, urls, "check")
	defer b.Close()
	n, err := b.Observations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("%d observations in the bucket, want %d", n, want)
	}
}
