package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
	"github.com/faultline/faultline/lab/redfishsim"
	"github.com/faultline/faultline/sitebus/jsserver"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveBG runs `faultline serve` in-process until the test ends.
func serveBG(t *testing.T, args ...string) *lockedBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), &out, &out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Errorf("serve %v did not stop", args)
		}
	})
	return &out
}

func getJSON(url string, v any) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if v != nil {
		err = json.Unmarshal(body, v)
	}
	return resp.StatusCode, err
}

// TestServeNATS: `serve --nats --collect-only --site` for each site of a
// multi-site lab, and `serve --nats` as the auditor: the auditor serves
// every site's observations; the collectors serve their status.
func TestServeNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs NATS, a lab and three serve processes in-process")
	}
	dir := t.TempDir()
	inv := filepath.Join(dir, "sites.yaml")
	if err := lab.WriteSites(inv, lab.SitesSpec{Sites: 2, RacksPerSite: 1, ServersPerRack: 1, SNMPPort: freePort(t), RedfishPort: freeTCPPort(t)}); err != nil {
		t.Fatal(err)
	}
	loaded, err := inventory.Load(inv, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := redfishsim.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(loaded, lab.Options{CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ns, err := jsserver.Start(filepath.Join(dir, "js"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ns.Shutdown() }()
	url := ns.ClientURL()

	t.Run("flag errors", func(t *testing.T) {
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"--collect-only"}, "need --nats URL"},
			{[]string{"--site", "site-1"}, "need --nats URL"},
			{[]string{"--nats-domain", "core"}, "need --nats URL"},
			{[]string{"--nats-inbox", "_INBOX_site-1"}, "need --nats URL"},
			{[]string{"--nats", url, "--nats-max-skew", "0s"}, "--nats-max-skew 0s: give a positive duration"},
			{[]string{"--nats", url, "--site", "site-1", "--devices", "x"}, "give one"},
			{[]string{"--nats", url, "--devices", "room=1"}, `selector "room=1"`},
			{[]string{"--nats", url, "--collect-only", "--site", "site-9"}, "site=site-9 selects no managed device"},
			{[]string{"--nats", "nats://user:s3cret@127.0.0.1:1", "--collect-only"}, "connecting to nats://REDACTED@127.0.0.1:1"},
		}
		for _, tc := range cases {
			code, out, errOut := cli(t, append([]string{"serve", "-i", inv, "--listen", "127.0.0.1:0"}, tc.args...)...)
			if code != exitBadInput || !strings.Contains(errOut, tc.want) || strings.Contains(out+errOut, "s3cret") {
				t.Errorf("serve %v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, exitBadInput, tc.want)
			}
		}
	})

	common := []string{"-i", inv, "--nats", url, "--interval", "500ms", "--ca", filepath.Join(dir, "lab-ca.pem"), "--timeout", "3s"}
	var collectors []string
	for i := range 2 {
		addr := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
		collectors = append(collectors, addr)
		serveBG(t, append(common, "--collect-only", "--site", lab.SiteID(i), "--listen", addr)...)
	}
	auditor := fmt.Sprintf("127.0.0.1:%d", freeTCPPort(t))
	out := serveBG(t, append(common, "--listen", auditor)...)

	managed := len(loaded.ManagedTargets())
	var ready struct {
		Devices struct{ Managed, Seen int } `json:"devices"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, err := getJSON("http://"+auditor+"/readyz", &ready)
		if err == nil && code == 200 && ready.Devices.Seen == managed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the auditor never saw all %d devices (last: %+v, %v)\n%s", managed, ready.Devices, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, addr := range collectors {
		var h struct {
			Status    string `json:"status"`
			Connected bool   `json:"nats_connected"`
			Published int    `json:"published"`
			Share     string `json:"share"`
		}
		if code, err := getJSON("http://"+addr+"/healthz", &h); err != nil || code != 200 || !h.Connected || h.Published == 0 || h.Share != "site="+lab.SiteID(i) {
			t.Errorf("collector %d /healthz: %d %+v %v", i, code, h, err)
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, m := range []string{"faultline_nats_connected 1", "faultline_nats_observations_published_total", `faultline_collection_devices{outcome="ok"} 5`} {
			if !strings.Contains(string(body), m) {
				t.Errorf("collector %d /metrics lacks %q", i, m)
			}
		}
		if code, _ := getJSON("http://"+addr+"/api/v1/findings", nil); code != 404 {
			t.Errorf("collector %d serves the findings API (%d): it audits nothing", i, code)
		}
	}

	// The NATS metrics move: the auditor received every observation, and
	// both sides see the server go and come back.
	aud, col := "http://"+auditor+"/metrics", "http://"+collectors[0]+"/metrics"
	waitMetric(t, aud, "faultline_nats_observations_received_total", "> 0", func(v float64) bool { return v >= float64(managed) })
	waitMetric(t, aud, "faultline_nats_connected", "1", func(v float64) bool { return v == 1 })
	waitMetric(t, aud, `faultline_nats_observations_rejected_total{reason="unknown_device"}`, "0", func(v float64) bool { return v == 0 })
	waitMetric(t, col, "faultline_nats_observations_published_total", "> 0", func(v float64) bool { return v > 0 })
	waitMetric(t, col, "faultline_nats_pending_observations", "0", func(v float64) bool { return v == 0 })
	if v, ok := metric(t, aud, "faultline_audit_timestamp_seconds"); !ok || v == 0 {
		t.Errorf("the auditor's /metrics lost its audit metrics (%v, %v)", v, ok)
	}
	received, _ := metric(t, aud, "faultline_nats_observations_received_total")

	addr := ns.Addr().String()
	ns.Shutdown()
	ns.WaitForShutdown()
	for _, u := range []string{aud, col} {
		waitMetric(t, u, "faultline_nats_connected", "0 with the server down", func(v float64) bool { return v == 0 })
	}
	// The collector keeps collecting: the latest observation per device waits.
	waitMetric(t, col, "faultline_nats_pending_observations", "> 0 while disconnected", func(v float64) bool { return v > 0 })
	if ns, err = jsserver.Start(filepath.Join(dir, "js"), addr); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{aud, col} {
		waitMetric(t, u, "faultline_nats_connected", "1 after the restart", func(v float64) bool { return v == 1 })
		waitMetric(t, u, "faultline_nats_reconnects_total", ">= 1 after the restart", func(v float64) bool { return v >= 1 })
	}
	waitMetric(t, col, "faultline_nats_pending_observations", "0 once sent", func(v float64) bool { return v == 0 })
	waitMetric(t, aud, "faultline_nats_observations_received_total", "growing after the restart", func(v float64) bool { return v > received })
}

// metric scrapes one unlabelled series' value from a /metrics URL.
func metric(t *testing.T, url, name string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Logf("scraping %s: %v", url, err)
		return 0, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Logf("scraping %s: %d %v", url, resp.StatusCode, err)
		return 0, false
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// waitMetric polls a /metrics URL until a series satisfies ok (30s at most).
func waitMetric(t *testing.T, url, name, want string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, found := metric(t, url, name)
		if found && ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: %v (found %v), want %s", url, name, v, found, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLabSites: `faultline lab --sites` writes the estate, simulates it,
// runs JetStream, and prints one collector per site and an auditor.
func TestLabSites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a lab and a NATS server")
	}
	dir := t.TempDir()
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"lab", "--sites", "2", "--racks", "1", "--servers", "1", "--ca-dir", dir,
			"--admin", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0"}, out, out)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "and an auditor") {
		select {
		case code := <-done:
			t.Fatalf("lab exited %d:\n%s", code, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no commands printed:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("lab exited %d", code)
	}
	text := out.String()
	for _, want := range []string{"10 simulated devices", "--collect-only --site site-1", "--collect-only --site site-2", "NATS with JetStream on nats://127.0.0.1:"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if _, err := inventory.Load(filepath.Join(dir, "lab-sites.yaml"), inventory.Options{}); err != nil {
		t.Errorf("the estate written: %v", err)
	}
}
