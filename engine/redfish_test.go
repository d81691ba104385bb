package engine

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newRedfishFixture: one server with RAID1, RAID10 and RAID5 volumes and
// two NICs, behind a simulated BMC over TLS, polled by the real Redfish
// collector trusting the lab's CA.
func newRedfishFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	t.Setenv("FAULTLINE_TEST_BMC", "bmc-test-password")
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - {id: sw-1, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-a}]}
  - {id: sw-2, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-b}]}
  - id: srv-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    storage:
      - {id: os, raid: raid1, drives: 2}
      - {id: data, raid: raid10, drives: 4}
      - {id: scratch, raid: raid5, drives: 3}
    management:
      redfish: {endpoint: "https://127.0.0.1:%d", username: audit, password: "${env:FAULTLINE_TEST_BMC}"}
links:
  - {a: "srv-1:eno1", b: "sw-1:Ethernet1"}
  - {a: "srv-1:eno2", b: "sw-2:Ethernet1"}
network:
  roots: [sw-1, sw-2]
services:
  - {id: db, members: [srv-1], tolerate: 0}
`, freeTCPPort(t))
	path := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
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
	cfg.InventoryFile = path
	cfg.Pollers = []collector.Poller{redfish.New(redfish.Options{RootCAs: l.RootCAs(), Retries: -1})}
	if cfg.Collect.Timeout == 0 {
		cfg.Collect.Timeout = 3 * time.Second
	}
	cfg.WatchInterval = -1
	eng, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &fixture{eng: eng, lab: l}
}

func TestLiveRedfishFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault lab.Fault
		want  []string
	}{
		{"failed PSU", lab.Fault{Kind: "psu-fail", Part: "PSU2"}, []string{"component-failed/srv-1/PSU2"}},
		{"failed drive in RAID1", lab.Fault{Kind: "drive-fail", Part: "os/1"}, []string{"component-failed/srv-1/os/1", "raid-degraded/srv-1/os"}},
		{"failed drive in RAID10", lab.Fault{Kind: "drive-fail", Part: "data/2"}, []string{"component-failed/srv-1/data/2", "raid-degraded/srv-1/data"}},
		{"failed drive in RAID5", lab.Fault{Kind: "drive-fail", Part: "scratch/0"}, []string{"component-failed/srv-1/scratch/0", "raid-degraded/srv-1/scratch"}},
		{"link down", lab.Fault{Kind: "link-down", Part: "eno2"}, []string{"component-failed/srv-1:eno2~sw-2:Ethernet1"}},
		{"hot inlet", lab.Fault{Kind: "hot-inlet", Value: "35"}, []string{"thermal/srv-1"}},
	}
	f := newRedfishFixture(t, Config{})
	base := findingIDs(f.collect(t))
	if _, ok := base["stale/srv-1"]; ok {
		t.Fatalf("the simulated BMC was not read: %v", base["stale/srv-1"].Message)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := f.lab.Inject("srv-1", tc.fault); err != nil {
				t.Fatal(err)
			}
			got := findingIDs(f.collect(t))
			for _, id := range tc.want {
				if _, ok := got[id]; !ok {
					t.Errorf("with the fault: no %s; have %v", id, keys(got))
				}
			}
			if err := f.lab.Clear("srv-1"); err != nil {
				t.Fatal(err)
			}
			got = findingIDs(f.collect(t))
			for _, id := range tc.want {
				if _, ok := got[id]; ok {
					t.Errorf("after clearing: %s still reported", id)
				}
			}
		})
	}
}

// TestUnreachableBMC: a BMC answering 500 to everything keeps its last
// good data until it is older than StaleAfter, then is stale.
func TestUnreachableBMC(t *testing.T) {
	f := newRedfishFixture(t, Config{StaleAfter: 200 * time.Millisecond})
	f.collect(t)
	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "http-500"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if _, ok := findingIDs(f.collect(t))["stale/srv-1"]; !ok {
		t.Fatalf("no stale/srv-1 while its BMC answers 500: %v", keys(findingIDs(f.eng.Snapshot())))
	}
	if err := f.lab.Clear("srv-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := findingIDs(f.collect(t))["stale/srv-1"]; ok {
		t.Error("stale/srv-1 still reported after the BMC recovered")
	}
}

// TestBMCResetsFlap: host resets reported by the BMC (uptime from
// LastResetTime) count as restarts.
func TestBMCResetsFlap(t *testing.T) {
	// LastResetTime has whole seconds, so an uptime is only known to a
	// second: let it grow past that before each reset.
	f := newRedfishFixture(t, Config{HistoryWindow: time.Hour})
	time.Sleep(1300 * time.Millisecond)
	f.collect(t)
	for i := 0; i < 2; i++ {
		if i > 0 {
			time.Sleep(1300 * time.Millisecond)
			f.collect(t)
		}
		if err := f.lab.Inject("srv-1", lab.Fault{Kind: "reset"}); err != nil {
			t.Fatal(err)
		}
		f.collect(t)
	}
	if _, ok := findingIDs(f.eng.Snapshot())["flapping/srv-1"]; !ok {
		t.Errorf("no flapping/srv-1 after two resets: %v", keys(findingIDs(f.eng.Snapshot())))
	}
}
