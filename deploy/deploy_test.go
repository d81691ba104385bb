// Package deploy_test checks what deploy/ ships against the real tools:
// the Prometheus rules with promtool (check and unit tests), the systemd
// unit with systemd-analyze, the Grafana dashboard's queries against the
// metrics faultline exports, and (e2e_test.go) the rules in a real
// Prometheus scraping a real `faultline serve --demo`. The tools come
// from Debian packages listed in .ci/apt-packages: absent, a test skips
// locally and fails in CI.
package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gopkg.in/yaml.v3"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/sitebus"
)

const rulesFile = "prometheus/faultline.rules.yml"

// tool finds a binary: absent, the test skips locally and fails in CI.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI installs Debian's %s from .ci/apt-packages", name, pkg)
		}
		t.Skipf("%s not installed: apt-get install %s", name, pkg)
	}
	return path
}

func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	out, err := run(t, promtool, "check", "rules", rulesFile)
	if err != nil || !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// TestPromtoolTestRules runs the rules' unit tests in prometheus/tests.
func TestPromtoolTestRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	tests, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests in prometheus/tests: %v", err)
	}
	out, err := run(t, promtool, append([]string{"test", "rules"}, tests...)...)
	if err != nil || strings.Contains(out, "FAILED") {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	// Every alert of the file has a unit test.
	var all []byte
	for _, f := range tests {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, r := range loadRules(t) {
		if r.Alert != "" && !strings.Contains(string(all), "alertname: "+r.Alert+"\n") {
			t.Errorf("alert %s has no promtool test", r.Alert)
		}
		if r.Record != "" && !strings.Contains(string(all), "expr: "+r.Record+"\n") {
			t.Errorf("recording rule %s has no promtool test", r.Record)
		}
	}
}

// TestSystemdVerify: the unit passes systemd-analyze verify, which prints
// (and exits 0 on) most problems, so any output fails. ExecStart must
// name an executable, so the check runs on a copy that points at a
// stand-in; a unit with a typo shows the check would catch one.
func TestSystemdVerify(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "systemd")
	unit, err := os.ReadFile("systemd/faultline.service")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultline")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/faultline serve ") {
		t.Fatal("the unit's ExecStart is not /usr/local/bin/faultline serve …")
	}
	for _, want := range []string{"--web.config.file ${CREDENTIALS_DIRECTORY}/web.yml", "--auth-reads", "LoadCredential=tls.key:"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit does not show %s (TLS and read protection, docs/security.md)", want)
		}
	}
	shipped := strings.ReplaceAll(string(unit), "/usr/local/bin/faultline", bin)
	for _, tc := range []struct {
		name, unit string
		ok         bool
	}{
		{"shipped", shipped, true},
		{"typo", strings.Replace(shipped, "\nRestart=", "\nRestrat=", 1), false},
		{"bad value", strings.Replace(shipped, "Type=exec", "Type=sometimes", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "faultline.service")
			if err := os.WriteFile(path, []byte(tc.unit), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := run(t, analyze, "verify", path)
			clean := err == nil && strings.TrimSpace(out) == ""
			if clean != tc.ok {
				t.Errorf("systemd-analyze verify: %v, clean=%t, want %t\n%s", err, clean, tc.ok, out)
			}
		})
	}
}

type rule struct {
	Record string `yaml:"record"`
	Alert  string `yaml:"alert"`
	Expr   string `yaml:"expr"`
}

func loadRules(t *testing.T) []rule {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []rule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		t.Fatal("no rules")
	}
	return out
}

// exported is every metric name a faultline scrape can carry: its own
// (with --nats, the connection's too) and the client library's Go and
// process metrics, plus Prometheus's up.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{"up": true}
	for _, n := range append(api.MetricNames(), sitebus.MetricNames()...) {
		names[n] = true
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	return names
}

// dashboardQueries are the PromQL expressions of the dashboard's panels
// and annotations and the metric queries of its template variables.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("grafana/faultline.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Annotations struct {
			List []struct {
				Expr string `json:"expr"`
			} `json:"list"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/faultline.json: %v", err)
	}
	var out []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q has an empty query", p.Title)
			}
			out = append(out, tg.Expr)
		}
	}
	for _, a := range d.Annotations.List {
		if a.Expr != "" {
			out = append(out, a.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(string)
		if m, ok := v.Query.(map[string]any); ok {
			q, _ = m["query"].(string)
		}
		// label_values(EXPR, label): only EXPR is PromQL.
		if inner, ok := strings.CutPrefix(q, "label_values("); ok {
			if i := strings.LastIndexByte(inner, ','); i >= 0 {
				q = inner[:i]
			}
		}
		out = append(out, q)
	}
	return out
}

// TestQueriesUseExportedMetrics: every metric the dashboard and the rules
// query is one faultline exports or a recording rule of the shipped file
// (whose own queries are checked the same way).
func TestQueriesUseExportedMetrics(t *testing.T) {
	names := exported(t)
	rules := loadRules(t)
	recorded := map[string]bool{}
	for _, r := range rules {
		if r.Record != "" {
			recorded[r.Record] = true
		}
	}
	check := func(where, expr string) {
		got := metricNames(expr)
		if len(got) == 0 {
			t.Errorf("%s: no metric in %q", where, expr)
		}
		for _, n := range got {
			if !names[n] && !recorded[n] {
				t.Errorf("%s: %q queries %s, which faultline does not export", where, expr, n)
			}
		}
	}
	for _, r := range rules {
		check("rule "+r.Record+r.Alert, r.Expr)
	}
	queries := dashboardQueries(t)
	if len(queries) < 8 {
		t.Errorf("the dashboard has only %d queries", len(queries))
	}
	used := map[string]bool{}
	for _, q := range queries {
		check("dashboard", q)
		for _, n := range metricNames(q) {
			used[n] = true
		}
	}
	// The panels the dashboard promises.
	for _, n := range []string{"faultline_findings", "faultline_service_up", "faultline_device_collection_success", "faultline_collection_duration_seconds"} {
		if !used[n] {
			t.Errorf("no dashboard panel queries %s", n)
		}
	}
}

var (
	grafanaVar   = regexp.MustCompile(`\$\{[^}]*\}|\$\w+`)
	stringLit    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	braces       = regexp.MustCompile(`\{[^{}]*\}`)
	brackets     = regexp.MustCompile(`\[[^\[\]]*\]`)
	labelLists   = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promqlTokens = regexp.MustCompile(`[0-9][0-9a-zA-Z_.+]*|[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	keywords     = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "by": true, "without": true,
		"on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true, "Inf": true, "NaN": true}
)

// metricNames returns the metric names a PromQL expression selects (what
// stands outside label matchers, strings, ranges and label lists, and is
// neither a function, a keyword nor a number), sorted, once each.
func metricNames(expr string) []string {
	s := grafanaVar.ReplaceAllString(expr, "1")
	s = stringLit.ReplaceAllString(s, `""`)
	s = braces.ReplaceAllString(s, " ")
	s = brackets.ReplaceAllString(s, " ")
	s = labelLists.ReplaceAllString(s, " ")
	var out []string
	for _, m := range promqlTokens.FindAllStringSubmatch(s, -1) {
		tok := m[0]
		if tok[0] >= '0' && tok[0] <= '9' || m[1] != "" || keywords[tok] {
			continue // a number, a function call, a keyword
		}
		if !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	sort.Strings(out)
	return out
}

func TestMetricNamesParser(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`faultline_service_up == 0`, []string{"faultline_service_up"}},
		{`sum by (rule, severity) (faultline_findings{instance=~"$instance", rule!="spof"})`, []string{"faultline_findings"}},
		{`time() - faultline_audit_timestamp_seconds > 1800`, []string{"faultline_audit_timestamp_seconds"}},
		{`increase(faultline_history_write_failures_total[$__rate_interval]) > 0`, []string{"faultline_history_write_failures_total"}},
		{"(a == 1) unless on (job, id) (a offset 1h) and on (job) (b offset 1h)", []string{"a", "b"}},
		{`count(x == 0) or sum without (device) (x) * 0 + 1e3`, []string{"x"}},
		{`topk(10, faultline_device_collection_duration_seconds{source="redfish"}) * on (device) group_left (rack) info`, []string{"faultline_device_collection_duration_seconds", "info"}},
		{`faultline:findings:sum_by_severity{severity="critical"}`, []string{"faultline:findings:sum_by_severity"}},
		{`label_replace(up, "a", "$1", "b", "(.*)")`, []string{"up"}},
		{`{__name__="x"}`, nil},
	} {
		if got := metricNames(tc.expr); !slices.Equal(got, tc.want) {
			t.Errorf("metricNames(%q) = %v, want %v", tc.expr, got, tc.want)
		}
	}
}
