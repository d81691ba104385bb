package sitebus_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/sitebus"
	"github.com/faultline/faultline/sitebus/jsserver"
)

const forgeryInventory = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - {id: srv-1, kind: server, rack: r1, psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}], management: {redfish: {endpoint: "https://127.0.0.1:8443", username: u, password: "${env:FAULTLINE_TEST_BMC}"}}}
`

// TestForgedEntriesAtAuditors is the attack, through the engine:
// a server's PSU2 has really failed; an entry dated 2099 saying all is
// well, and an SNMP entry for the same server (polled over Redfish only),
// change nothing at an auditor running since before, nor at one started
// after them — they agree; purging the key makes the server stale at
// both.
func TestForgedEntriesAtAuditors(t *testing.T) {
	t.Setenv("FAULTLINE_TEST_BMC", "x")
	dir := t.TempDir()
	path := filepath.Join(dir, "inv.yaml")
	if err := os.WriteFile(path, []byte(forgeryInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	ns, err := jsserver.Start(filepath.Join(dir, "js"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	auditor := func(name string) *engine.Engine {
		b := connect(t, ns.ClientURL(), name)
		t.Cleanup(func() { b.Close() })
		eng, err := engine.New(context.Background(), engine.Config{InventoryFile: path, WatchInterval: -1, Interval: 200 * time.Millisecond,
			StaleAfter: time.Hour, Targets: func(*inventory.Inventory) []collector.Target { return nil },
			Source: b.Source(sitebus.Policy{}), AuditEvery: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = eng.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done; eng.Close() })
		return eng
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	early := auditor("early")
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(context.Background(), sitebus.ObservationsBucket)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, o observation.Device) {
		data, _ := json.Marshal(o)
		if _, err := kv.Put(context.Background(), key, data); err != nil {
			t.Fatal(err)
		}
	}
	key := sitebus.ObservationKey("s1", "srv-1", observation.SourceRedfish)
	now := time.Now().UTC()
	failed := observation.Device{ID: "srv-1", Source: observation.SourceRedfish, AttemptedAt: now, CollectedAt: now,
		PSUs: []observation.PSU{{ID: "PSU1", Condition: observation.OK}, {ID: "PSU2", Condition: observation.Failed}}}
	put(key, failed)
	const psu2 = "component-failed/srv-1/PSU2"
	eventually(t, 20*time.Second, "the real failure at the early auditor", func() bool { return has(early.Snapshot(), psu2) })
	criticals := early.Snapshot().Report.Summary.Critical

	forged := failed
	forged.AttemptedAt, forged.CollectedAt = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	forged.PSUs = []observation.PSU{{ID: "PSU1", Condition: observation.OK}, {ID: "PSU2", Condition: observation.OK}}
	put(key, forged)
	viaSNMP := forged
	viaSNMP.Source, viaSNMP.AttemptedAt, viaSNMP.CollectedAt = observation.SourceSNMP, now, now
	viaSNMP.PSUs = []observation.PSU{{ID: "PSU1", Condition: observation.Failed}, {ID: "PSU2", Condition: observation.Failed}}
	put(sitebus.ObservationKey("s1", "srv-1", observation.SourceSNMP), viaSNMP)

	late := auditor("late")
	eventually(t, 20*time.Second, "the late auditor audits the bucket", func() bool { return has(late.Snapshot(), psu2) })
	time.Sleep(500 * time.Millisecond) // audits after the forgeries
	for name, eng := range map[string]*engine.Engine{"early": early, "late": late} {
		s := eng.Snapshot()
		if !has(s, psu2) || s.Report.Summary.Critical != criticals || has(s, "component-failed/srv-1/PSU1") {
			t.Errorf("%s auditor after the forgeries: %v", name, findings(s))
		}
		if len(s.Observations) != 1 || s.Observations[0].Source != observation.SourceRedfish {
			t.Errorf("%s auditor holds %d observations, want srv-1's genuine Redfish one", name, len(s.Observations))
		}
	}
	if d := cmp.Diff(findings(early.Snapshot()), findings(late.Snapshot())); d != "" {
		t.Errorf("the auditors disagree (-early +late):\n%s", d)
	}

	if err := kv.Purge(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	for name, eng := range map[string]*engine.Engine{"early": early, "late": late} {
		eventually(t, 20*time.Second, name+": the purged server is stale, its PSU unknown", func() bool {
			s := eng.Snapshot()
			return has(s, "stale/srv-1") && !has(s, psu2) && len(s.Observations) == 0
		})
	}
}
