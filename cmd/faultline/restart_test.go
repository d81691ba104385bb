package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

// TestKillNineRestart: serve with --data, collect, kill -9 the process in
// the middle of its next collection, restart it: the findings and their
// first-seen times are intact and served at once, before the first new
// collection finishes.
func TestKillNineRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Setenv("FAULTLINE_TEST_COMMUNITY", "restart-test")
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
	// Every SNMP answer takes 400 ms: a collection takes over a second,
	// long enough to kill the server in the middle of one.
	l, err := lab.Start(inv, lab.Options{Latency: 400 * time.Millisecond})
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
		cmd := exec.Command(bin, "serve", "-i", invPath, "--data", data, "--listen", addr, "--interval", "2s", "--timeout", "10s")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	srv := start()
	defer func() { srv.Process.Kill(); srv.Wait() }()

	// Wait for the first collection's findings.
	var first audit.Finding
	waitFor(t, 20*time.Second, func() bool {
		f, ok := getFinding(addr, "component-failed/sw-1/PSU2")
		first = f
		return ok
	})
	if first.FirstSeen == nil {
		t.Fatal("no first_seen with --data")
	}
	// The next collection starts on the 2 s tick; kill -9 while it runs.
	waitFor(t, 20*time.Second, func() bool { return collecting(addr) })
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()

	srv = start()
	var again audit.Finding
	waitFor(t, 10*time.Second, func() bool {
		f, ok := getFinding(addr, "component-failed/sw-1/PSU2")
		again = f
		return ok
	})
	// Served from the history: the new process has not finished a
	// collection yet (each takes over a second against the slow agent).
	var ready struct {
		Collection *struct{} `json:"last_collection"`
	}
	if err := get(addr, "/readyz", &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Collection != nil {
		t.Error("the restarted server served the finding only after a new collection")
	}
	if again.FirstSeen == nil || !again.FirstSeen.Equal(*first.FirstSeen) {
		t.Errorf("first_seen after kill -9 and restart: %v, was %v", again.FirstSeen, first.FirstSeen)
	}
}

func freeTCP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s", d)
}

func get(addr, path string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func getFinding(addr, id string) (audit.Finding, bool) {
	var r audit.Report
	if err := get(addr, "/api/v1/findings", &r); err != nil {
		return audit.Finding{}, false
	}
	for _, f := range r.Findings {
		if f.ID == id {
			return f, true
		}
	}
	return audit.Finding{}, false
}

// collecting reports whether the server has a collection running: its
// job counter moved past the last finished collection.
func collecting(addr string) bool {
	var ready struct {
		Collection *struct {
			ID string `json:"id"`
		} `json:"last_collection"`
	}
	if err := get(addr, "/readyz", &ready); err != nil || ready.Collection == nil {
		return false
	}
	next := nextJobID(ready.Collection.ID)
	var job struct {
		State string `json:"state"`
	}
	return get(addr, "/api/v1/collect/"+next, &job) == nil && strings.EqualFold(job.State, "running")
}

func nextJobID(id string) string {
	var n int
	fmt.Sscan(id, &n)
	return fmt.Sprint(n + 1)
}
