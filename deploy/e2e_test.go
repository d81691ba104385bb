package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/sitebus"
)

// buildDir holds the binary the tests build; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildFaultline builds the binary once per test run.
var buildFaultline = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "faultline-deploy-test-")
	if err != nil {
		return "", err
	}
	buildDir = dir
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "faultline")
	out, err := exec.Command(goTool, "build", "-o", bin, "../cmd/faultline").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func faultlineBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildFaultline()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// freeAddr is a free loopback TCP address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// demoInventory is the bundled inventory with its management addresses
// moved from 127.0.x.y to 127.61.x.y (loopback still), so that this demo's
// simulated devices never collide with another test's running at the same
// time on the bundled addresses.
func demoInventory(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, net := range []string{"1", "2", "3"} {
		s = strings.ReplaceAll(s, "127.0."+net+".", "127.61."+net+".")
	}
	if strings.Contains(s, "127.0.") {
		t.Fatal("the bundled inventory has management addresses outside 127.0.1-3.x; extend the remapping")
	}
	path := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// process is a started binary whose output is kept for failure messages.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error
}

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

// start runs a binary until the test ends (SIGTERM, then SIGKILL after 10 s).
func start(t *testing.T, name string, env []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, tail(p.out.String(), 4000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// poll calls f every 250 ms until it returns nil, the process dies, or
// the budget runs out; it returns f's last error.
func poll(budget time.Duration, procs []*process, f func() error) error {
	deadline := time.Now().Add(budget)
	for {
		err := f()
		if err == nil {
			return nil
		}
		for _, p := range procs {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited (%v): %w", p.name, p.err, err)
			default:
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %w", budget, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

var client = &http.Client{Timeout: 5 * time.Second}

func get(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return b, fmt.Errorf("GET %s: %s: %.300s", url, resp.Status, b)
	}
	return b, nil
}

type alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func alerts(promURL string) ([]alert, error) {
	b, err := get(promURL + "/api/v1/alerts")
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" {
		return nil, fmt.Errorf("/api/v1/alerts: %v: %.300s", err, b)
	}
	return r.Data.Alerts, nil
}

// query runs an instant query and returns its samples' values.
func query(promURL, q string) ([]string, error) {
	b, err := get(promURL + "/api/v1/query?query=" + urlEscape(q))
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Status != "success" {
		return nil, fmt.Errorf("query %s: %v: %.300s", q, err, b)
	}
	var out []string
	for _, s := range r.Data.Result {
		v, _ := s.Value[1].(string)
		out = append(out, v)
	}
	return out, nil
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func hasAlert(as []alert, name string, labels map[string]string) bool {
	return slices.ContainsFunc(as, func(a alert) bool {
		if a.Labels["alertname"] != name {
			return false
		}
		for k, v := range labels {
			if a.Labels[k] != v {
				return false
			}
		}
		return true
	})
}

// TestPrometheusAlertsOnDemo runs Debian's prometheus with the shipped
// rules against `faultline serve --demo` (simulated devices on loopback,
// with the demo's injected faults) and checks through Prometheus's HTTP
// API that the faults raise the expected alerts, that nothing else
// alerts, and that a rejected inventory raises its alert and clears when
// the file is reverted. Prometheus asks for OpenMetrics and gzip, so the
// scrape also proves those encodings parse in the real thing.
func TestPrometheusAlertsOnDemo(t *testing.T) {
	promBin := tool(t, "prometheus", "prometheus")
	bin := faultlineBinary(t)
	dir := t.TempDir()
	inv := demoInventory(t, dir)
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	flAddr, promAddr := freeAddr(t), freeAddr(t)
	data := filepath.Join(dir, "data")
	fl := start(t, "faultline serve", []string{"SNMP_COMMUNITY=faultline-demo", "BMC_PASSWORD=faultline-demo"},
		bin, "serve", "--demo", "-i", inv, "--listen", flAddr, "--data", data, "--interval", "2s")
	if err := poll(30*time.Second, []*process{fl}, func() error { _, err := get("http://" + flAddr + "/readyz"); return err }); err != nil {
		t.Fatalf("faultline never ready: %v", err)
	}

	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: faultline
    static_configs:
      - targets: [%q]
`, rules, flAddr)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	prom := start(t, "prometheus", nil, promBin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	promURL := "http://" + promAddr
	procs := []*process{fl, prom}

	// The demo's faults: app-1's eno2 link down leaves app and web, and
	// app-1 itself, on tor-3a alone; db-1's failed drive degrades its
	// raid10 volume.
	want := []struct {
		name   string
		labels map[string]string
	}{
		{"FaultlineRedundancyLost", map[string]string{"subject": "app", "cause": "tor-3a", "id": "redundancy-lost/app/tor-3a", "severity": "page", "job": "faultline"}},
		{"FaultlineRedundancyLost", map[string]string{"subject": "web", "cause": "tor-3a"}},
		{"FaultlineRedundancyLost", map[string]string{"subject": "app-1"}}, // causes its link to tor-3a first
		{"FaultlineRaidDegraded", map[string]string{"subject": "db-1/data", "rule": "raid-degraded"}},
	}
	err = poll(40*time.Second, procs, func() error {
		as, err := alerts(promURL)
		if err != nil {
			return err
		}
		for _, w := range want {
			if !hasAlert(as, w.name, w.labels) {
				return fmt.Errorf("no %s %v among %d alerts", w.name, w.labels, len(as))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the demo's faults did not raise the expected alerts: %v", err)
	}
	as, err := alerts(promURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		switch a.Labels["alertname"] {
		case "FaultlineRedundancyLost", "FaultlineRaidDegraded":
		case "FaultlineDeviceNotCollected":
			// A poll that times out on a loaded machine (CI runs every
			// package at once) is the demo's, not the rules' problem.
			t.Logf("a demo device missed a collection: %v", a.Labels)
		default:
			// Nothing else is wrong in the demo: every device answers, the
			// inventory is valid, history writes, and Prometheus has no hour
			// of data to call a single point of failure new.
			t.Errorf("unexpected alert %v (%s)", a.Labels, a.State)
		}
	}
	if got, err := query(promURL, `up{job="faultline"}`); err != nil || !slices.Equal(got, []string{"1"}) {
		t.Errorf("up: %v %v", got, err)
	}
	if got, err := query(promURL, `faultline_findings{rule="redundancy-lost"}`); err != nil || !slices.Equal(got, []string{"3"}) {
		t.Errorf("faultline_findings{rule=\"redundancy-lost\"} through Prometheus: %v %v", got, err)
	}
	// The reliability figures reach Prometheus: an expected downtime for
	// every service of the demo, each a positive number of seconds.
	services, err := query(promURL, `count(faultline_service_up)`)
	if err != nil || len(services) != 1 {
		t.Fatalf("count(faultline_service_up): %v %v", services, err)
	}
	if got, err := query(promURL, `count(faultline_service_expected_downtime_seconds_per_year > 0)`); err != nil || !slices.Equal(got, services) {
		t.Errorf("services with a positive expected downtime through Prometheus: %v, want %v (%v)", got, services, err)
	}

	// Every metric the rules and the dashboard query is in a real scrape.
	body, err := get("http://" + flAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scraped := map[string]bool{"up": true}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), " "); ok && !strings.HasPrefix(name, "#") {
			name, _, _ = strings.Cut(name, "{")
			scraped[name] = true
		}
	}
	recorded := map[string]bool{}
	var exprs []string
	for _, r := range loadRules(t) {
		recorded[r.Record] = r.Record != ""
		exprs = append(exprs, r.Expr)
	}
	// The NATS connection's series come only with --nats (the demo has
	// none): cmd/faultline's TestServeNATS scrapes them.
	nats := map[string]bool{}
	for _, n := range sitebus.MetricNames() {
		nats[n] = true
	}
	for _, e := range append(exprs, dashboardQueries(t)...) {
		for _, n := range metricNames(e) {
			if !scraped[n] && !recorded[n] && !nats[n] {
				t.Errorf("%s (in %q) is not in the demo's /metrics", n, e)
			}
		}
	}

	// Every rule evaluates without error on real data (a many-to-many
	// match, say, would only show here).
	b, err := get(promURL + "/api/v1/rules")
	if err != nil {
		t.Fatal(err)
	}
	var rr struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name      string `json:"name"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &rr); err != nil {
		t.Fatal(err)
	}
	evaluated := 0
	for _, g := range rr.Data.Groups {
		for _, r := range g.Rules {
			evaluated++
			if r.Health != "ok" {
				t.Errorf("rule %s: health %q %s", r.Name, r.Health, r.LastError)
			}
		}
	}
	if evaluated != len(loadRules(t)) {
		t.Errorf("Prometheus loaded %d rules, the file has %d", evaluated, len(loadRules(t)))
	}

	// Every dashboard query is valid PromQL to the real thing, with
	// Grafana's variables as Grafana substitutes them.
	vars := strings.NewReplacer("$__rate_interval", "1m", "$__interval", "15s", "$instance", ".*", "${datasource}", "")
	for _, q := range dashboardQueries(t) {
		if _, err := query(promURL, vars.Replace(q)); err != nil {
			t.Errorf("dashboard query %q: %v", q, err)
		}
	}

	// A rejected inventory alerts; reverting the file clears it (no SIGHUP).
	good, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "version: 1", "version: 1\nbogus_key: true", 1)
	if err := os.WriteFile(inv, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err = poll(20*time.Second, procs, func() error {
		as, err := alerts(promURL)
		if err != nil {
			return err
		}
		if !hasAlert(as, "FaultlineInventoryRejected", map[string]string{"job": "faultline"}) {
			return errors.New("no FaultlineInventoryRejected")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("an invalid inventory raised no alert: %v", err)
	}
	if err := os.WriteFile(inv, good, 0o600); err != nil {
		t.Fatal(err)
	}
	err = poll(20*time.Second, procs, func() error {
		as, err := alerts(promURL)
		if err != nil {
			return err
		}
		if hasAlert(as, "FaultlineInventoryRejected", nil) {
			return errors.New("FaultlineInventoryRejected still active")
		}
		return nil
	})
	if err != nil {
		t.Errorf("reverting the inventory did not clear the alert: %v", err)
	}
}

// TestServeHardening runs the binary: a second serve on a --data
// directory in use exits 2 and says which process holds it, and the
// answer to oversized request headers, which net/http writes itself, is
// JSON like every other error.
func TestServeHardening(t *testing.T) {
	bin := faultlineBinary(t)
	dir := t.TempDir()
	inv := demoInventory(t, dir)
	data := filepath.Join(dir, "data")
	addr := freeAddr(t)
	first := start(t, "first serve", nil, bin, "serve", "-i", inv, "--listen", addr, "--data", data, "--interval", "0")
	if err := poll(20*time.Second, []*process{first}, func() error { _, err := get("http://" + addr + "/readyz"); return err }); err != nil {
		t.Fatalf("first serve never ready: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "serve", "-i", inv, "--listen", freeAddr(t), "--data", data, "--interval", "0").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("second serve: %v, want exit status 2\n%s", err, out)
	}
	for _, want := range []string{data, fmt.Sprintf("process %d", first.cmd.Process.Pid), "another --data directory"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("second serve's message lacks %q:\n%s", want, out)
		}
	}

	req, err := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", strings.Repeat("c", 100<<10))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Error string `json:"error"`
	}
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, "too large") {
		t.Errorf("oversized headers: %s %q %s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
}
