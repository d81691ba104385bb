package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/lab/redfishsim"
)

// TestWhatIfLive is the maintenance pre-flight on the hardware as it is
// (issue 11): srv-1 has a PSU on each PDU, so on the design alone failing
// pdu-a is safe; but its PSU2 has failed (a simulated BMC says so, read
// through Redfish over TLS), so it runs on pdu-a alone and failing pdu-a
// takes srv-1 and the service app down. The same answer from an
// observations file (collect --out) and from a running server's
// GET /api/v1/observations (--live, the real api router over an engine
// collecting from the lab, on loopback).
func TestWhatIfLive(t *testing.T) {
	t.Setenv("LIVE_TEST_PASSWORD", "pa55-live")
	dir := t.TempDir()
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - id: srv-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {redfish: {endpoint: "https://127.0.0.1:%d", username: audit, password: "${env:LIVE_TEST_PASSWORD}"}}
services:
  - {id: app, members: [srv-1]}
`, freeTCPPort(t))
	invPath := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(invPath, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := redfishsim.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(inv, lab.Options{CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Inject("srv-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "lab-ca.pem")

	// The design alone: safe.
	if code, out, errOut := cli(t, "whatif", invPath, "--fail", "pdu-a", "-o", "table"); code != 0 || !strings.Contains(out, "0 service(s) down, 0 device(s) down") {
		t.Fatalf("design alone: exit %d, want 0\n%s%s", code, out, errOut)
	}

	obsPath := filepath.Join(dir, "obs.json")
	if code, out, errOut := cli(t, "collect", invPath, "--ca", caFile, "--out", obsPath); code != 0 {
		t.Fatalf("collect: exit %d\n%s%s", code, out, errOut)
	}

	// The server: the real api router over an engine that collects from the lab.
	pollers, err := newPollers(collectFlags{caFile: caFile}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng, err := engine.New(ctx, engine.Config{InventoryFile: invPath, WatchInterval: -1, Pollers: pollers,
		Collect: collector.Options{Concurrency: 4, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	job := eng.StartCollection(ctx)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if j, ok := eng.Job(job.ID); ok && j.State != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the engine's collection did not finish")
		}
	}
	const serverToken = "live-token"
	srv := api.New(eng, api.Options{Token: serverToken})
	srv.Prerender(eng.Snapshot())
	var sawToken string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawToken = r.Header.Get("Authorization")
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	t.Setenv("FAULTLINE_TOKEN", serverToken)

	for _, source := range [][]string{{"--observations", obsPath}, {"--live", ts.URL}} {
		t.Run(source[0], func(t *testing.T) {
			args := append([]string{"whatif", invPath, "--fail", "pdu-a", "-o", "table"}, source...)
			code, out, errOut := cli(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (a service goes down)\n%s%s", code, out, errOut)
			}
			for _, want := range []string{"GOES DOWN", "service app:", "device srv-1:"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, "1 of 1 managed devices seen") {
				t.Errorf("no note of the observations used: %s", errOut)
			}
			code, out, _ = cli(t, append([]string{"audit", invPath, "-o", "json"}, source...)...)
			if code != 1 || !strings.Contains(out, `"component-failed/srv-1/PSU2"`) {
				t.Errorf("audit: exit %d, lacks component-failed/srv-1/PSU2:\n%.800s", code, out)
			}
			// The plan on the same state: pdu-a is blocked until the PSU is replaced.
			code, out, _ = cli(t, append([]string{"plan", invPath, "--maintain", "pdu-*", "-o", "json"}, source...)...)
			if code != 1 || !strings.Contains(out, `"component": "pdu-a"`) || !strings.Contains(out, `"fix_first": [
        "srv-1/PSU2"`) {
				t.Errorf("plan: exit %d, want pdu-a blocked until srv-1/PSU2 is repaired:\n%.1200s", code, out)
			}
		})
	}
	if sawToken != "Bearer "+serverToken {
		t.Errorf("--live sent Authorization %q, want the FAULTLINE_TOKEN bearer", sawToken)
	}

	resp, err := http.Get(ts.URL + "/api/v1/observations")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"id": "srv-1"`) {
		t.Errorf("GET /api/v1/observations lacks srv-1: %.400s", body)
	}
	if strings.Contains(string(body), "pa55-live") || strings.Contains(string(body), serverToken) {
		t.Error("GET /api/v1/observations leaks a secret")
	}
}

// TestLiveErrors: a --live server that is not there, answers with an
// error, is too slow, or is not faultline, is exit 2 with a message.
func TestLiveErrors(t *testing.T) {
	slow := make(chan struct{})
	defer close(slow)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/denied/api/v1/observations":
			http.Error(w, `{"error":"bearer token required"}`, http.StatusUnauthorized)
		case "/slow/api/v1/observations":
			select {
			case <-slow:
			case <-r.Context().Done():
			}
		case "/html/api/v1/observations":
			fmt.Fprint(w, "<html>not faultline</html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"refused", []string{"--live", closedURL}, "is faultline serve running there?"},
		{"unauthorized", []string{"--live", ts.URL + "/denied"}, "set FAULTLINE_TOKEN"},
		{"deadline", []string{"--live", ts.URL + "/slow", "--live-timeout", "50ms"}, "within 50ms (--live-timeout)"},
		{"not observations", []string{"--live", ts.URL + "/html"}, "observations:"},
		{"not found", []string{"--live", ts.URL}, "404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, append([]string{"whatif", repoInventory, "--fail", "feed-a"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want 2 with %q\n%s%s", code, tc.want, out, errOut)
			}
		})
	}
}

// TestLiveBodyBound: an answer over the bound is refused as such, not
// read to the end or reported as broken JSON.
func TestLiveBodyBound(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"version": 1, "generated_at": "2026-12-01T00:00:00Z", "devices": [%s{}]}`, strings.Repeat(`{"id": "x", "source": "snmp"},`, 200))
	}))
	defer ts.Close()
	client, err := liveClient("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetchObservations(context.Background(), client, ts.URL, 5*time.Second, "", 1<<10); err == nil || !strings.Contains(err.Error(), "over 1024 bytes") {
		t.Errorf("error %v, want the answer refused as over 1024 bytes", err)
	}
	if _, err := fetchObservations(context.Background(), client, ts.URL, 5*time.Second, "", 1<<20); err != nil && strings.Contains(err.Error(), "over") {
		t.Errorf("an answer within the bound refused: %v", err)
	}
}
