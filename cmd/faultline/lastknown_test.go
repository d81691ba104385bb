package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

// TestLastKnownStateSurvivesKillNine, with the real binary and a real SNMP
// agent: a failed PSU is seen; the agent stops answering; the
// component-failed and redundancy-lost findings are still served, dated
// by the last good read and with their first_seen; after kill -9 and a
// restart with --data the same is served at once; when the agent answers
// healthy again they clear.
func TestLastKnownStateSurvivesKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Setenv("FAULTLINE_TEST_COMMUNITY", "last-known")
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
services:
  - {id: core, members: [sw-1]}
`, freePort(t))
	invPath := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(invPath, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(inv, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Inject("sw-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	addr := freeTCP(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "-i", invPath, "--data", data, "--listen", addr, "--interval", "1s", "--timeout", "1s")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	srv := start()
	defer func() { srv.Process.Kill(); srv.Wait() }()

	ids := []string{"component-failed/sw-1/PSU2", "redundancy-lost/sw-1/power/pdu-a", "redundancy-lost/core/sw-1/PSU1"}
	findings := func() map[string]audit.Finding {
		var r audit.Report
		if err := get(addr, "/api/v1/findings", &r); err != nil {
			return nil
		}
		m := map[string]audit.Finding{}
		for _, f := range r.Findings {
			m[f.ID] = f
		}
		return m
	}
	has := func(m map[string]audit.Finding, ids ...string) bool {
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				return false
			}
		}
		return true
	}
	var seen map[string]audit.Finding
	waitFor(t, 20*time.Second, func() bool { seen = findings(); return has(seen, ids...) })
	read := seen[ids[0]].ObservedAt
	if read == nil {
		t.Fatal("component-failed has no observed_at")
	}

	if err := l.Inject("sw-1", lab.Fault{Kind: "timeout"}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, m map[string]audit.Finding) {
		t.Helper()
		for _, id := range ids {
			f, ok := m[id]
			switch {
			case !ok:
				t.Errorf("%s: %s no longer served", when, id)
			case f.ObservedAt == nil || !f.ObservedAt.Equal(*read):
				t.Errorf("%s: %s observed_at %v, want the last good read %v", when, id, f.ObservedAt, read)
			case f.FirstSeen == nil || !f.FirstSeen.Equal(*seen[id].FirstSeen):
				t.Errorf("%s: %s first_seen %v, want %v", when, id, f.FirstSeen, seen[id].FirstSeen)
			}
		}
	}
	var silent map[string]audit.Finding
	waitFor(t, 20*time.Second, func() bool { silent = findings(); return has(silent, "stale/sw-1") })
	check("agent not answering", silent)

	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	srv = start()
	var restarted map[string]audit.Finding
	waitFor(t, 10*time.Second, func() bool { restarted = findings(); return restarted != nil })
	check("after kill -9 and restart", restarted)

	if err := l.Clear("sw-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, func() bool {
		m := findings()
		if m == nil {
			return false
		}
		for _, id := range append(ids, "stale/sw-1") {
			if _, ok := m[id]; ok {
				return false
			}
		}
		return true
	})
}
