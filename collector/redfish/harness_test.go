package redfish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/observation"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The lab's password (testdata/lab-bmc-password), which must never appear
// in an error or a log.
const labPassword = "lab-secret-pw"

// fixedNow is the clock of golden tests, for both the collector and the
// simulators, so uptimes are exact.
var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func loadLab(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Load(filepath.Join("testdata", "lab.yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// lab is a fleet of simulated BMCs on loopback for one test.
type lab struct {
	t     testing.TB
	inv   *inventory.Inventory
	fleet *redfishsim.Fleet
}

func newLab(t testing.TB) *lab {
	t.Helper()
	f, err := redfishsim.NewFleet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return &lab{t: t, inv: loadLab(t), fleet: f}
}

// device starts a generated BMC for a lab device on 127.0.0.1:0 and
// returns it with the target that polls it.
func (l *lab) device(id string, opts redfishsim.Options) (*redfishsim.Sim, collector.Target) {
	l.t.Helper()
	sim, err := redfishsim.FromDevice(l.inv, id, opts)
	if err != nil {
		l.t.Fatal(err)
	}
	return sim, l.serve(sim, id, l.inv.Device(id).Management.Redfish)
}

// serve starts sim and returns a target for it with rf's credentials.
func (l *lab) serve(sim *redfishsim.Sim, id string, rf *inventory.Redfish) collector.Target {
	l.t.Helper()
	u, err := l.fleet.Start(sim, "127.0.0.1:0")
	if err != nil {
		l.t.Fatal(err)
	}
	r := *rf
	r.Endpoint = u
	return collector.Target{ID: id, Kind: "server", Management: &inventory.Management{Redfish: &r}, Dir: l.inv.Dir()}
}

func (l *lab) poller(opts redfish.Options) *redfish.Poller {
	if opts.RootCAs == nil {
		opts.RootCAs = l.fleet.CA().Pool()
	}
	return redfish.New(opts)
}

func pollOnce(t testing.TB, p *redfish.Poller, tg collector.Target, timeout time.Duration) observation.Device {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return p.Poll(ctx, tg)
}

// stable blanks what changes from run to run (times, the port).
func stable(d observation.Device) observation.Device {
	d.AttemptedAt, d.CollectedAt, d.Duration, d.Endpoint = time.Time{}, time.Time{}, 0, ""
	return d
}

// golden compares v, as indented JSON, with testdata/golden/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// noSecret fails if the lab password appears in an observation.
func noSecret(t testing.TB, d observation.Device) {
	t.Helper()
	b, _ := json.Marshal(d)
	if strings.Contains(string(b), labPassword) {
		t.Errorf("the password appears in the observation of %s: %s", d.ID, b)
	}
}

// settleGoroutines waits for the goroutine count to come back to base
// (connections closing, servers' handlers returning) and fails with the
// stacks if it does not.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, %d before: leaked?\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// psuByID finds a part by its id; a missing one ends the test (a failed
// poll must fail the test, not panic it).
func psuByID(t testing.TB, d observation.Device, id string) *observation.PSU {
	t.Helper()
	for i := range d.PSUs {
		if d.PSUs[i].ID == id {
			return &d.PSUs[i]
		}
	}
	t.Fatalf("no psu %q in the observation (error: %q)", id, d.Error)
	return nil
}

// volumeByID finds a part by its id; a missing one ends the test (a failed
// poll must fail the test, not panic it).
func volumeByID(t testing.TB, d observation.Device, id string) *observation.Volume {
	t.Helper()
	for i := range d.Volumes {
		if d.Volumes[i].ID == id {
			return &d.Volumes[i]
		}
	}
	t.Fatalf("no volume %q in the observation (error: %q)", id, d.Error)
	return nil
}

// driveByID finds a part by its id; a missing one ends the test (a failed
// poll must fail the test, not panic it).
func driveByID(t testing.TB, d observation.Device, id string) *observation.Drive {
	t.Helper()
	for i := range d.Drives {
		if d.Drives[i].ID == id {
			return &d.Drives[i]
		}
	}
	t.Fatalf("no drive %q in the observation (error: %q)", id, d.Error)
	return nil
}

// portByName finds a part by its name; a missing one ends the test (a failed
// poll must fail the test, not panic it).
func portByName(t testing.TB, d observation.Device, name string) *observation.Port {
	t.Helper()
	for i := range d.Ports {
		if d.Ports[i].Name == name {
			return &d.Ports[i]
		}
	}
	t.Fatalf("no port %q in the observation (error: %q)", name, d.Error)
	return nil
}
