package api

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
)

// TestReliabilityInReport: /api/v1/report carries the audit's reliability
// object (every service, by expected downtime) and the findings their
// share of downtime, the same figures the served analysis holds.
func TestReliabilityInReport(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	rec := do(t, s, call{method: "GET", path: "/api/v1/report"})
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var rep audit.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	a := eng.Snapshot().Analysis
	if rep.Reliability == nil || len(rep.Reliability.Services) != len(a.G.Services) {
		t.Fatalf("reliability object: %+v", rep.Reliability)
	}
	for i, sr := range rep.Reliability.Services {
		if i > 0 && sr.DowntimeMinutesPerYear > rep.Reliability.Services[i-1].DowntimeMinutesPerYear {
			t.Errorf("services not by expected downtime: %s after %s", sr.ID, rep.Reliability.Services[i-1].ID)
		}
		want := a.Figures.Services[a.G.ServiceIndex(sr.ID)].DowntimeMinutes()
		if sr.DowntimeMinutesPerYear != want {
			t.Errorf("%s: %g min/yr served, %g in the analysis", sr.ID, sr.DowntimeMinutesPerYear, want)
		}
	}
	spofs := 0
	for _, f := range rep.Findings {
		if f.Rule == "spof" {
			spofs++
			if f.DowntimeMinutesPerYear == nil || *f.DowntimeMinutesPerYear <= 0 {
				t.Errorf("%s: no downtime share", f.ID)
			}
		}
	}
	if spofs == 0 {
		t.Fatal("the bundled inventory has no spof finding")
	}
}

// TestFindingsSortByRisk: findings?sort=risk orders by the downtime each
// accounts for, most first, the rest after; sort=severity is the
// document's order; anything else is refused.
func TestFindingsSortByRisk(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	get := func(path string) []audit.Finding {
		t.Helper()
		rec := do(t, s, call{method: "GET", path: path})
		if rec.Code != 200 {
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body.String())
		}
		var rep audit.Report
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Reliability == nil {
			t.Errorf("%s: no reliability object", path)
		}
		return rep.Findings
	}
	byRisk := get("/api/v1/findings?sort=risk")
	withFigure := 0
	for i, f := range byRisk {
		if f.DowntimeMinutesPerYear == nil {
			for _, g := range byRisk[i:] {
				if g.DowntimeMinutesPerYear != nil {
					t.Fatalf("%s (with a figure) after %s (without)", g.ID, f.ID)
				}
			}
			break
		}
		withFigure++
		if i > 0 && *f.DowntimeMinutesPerYear > *byRisk[i-1].DowntimeMinutesPerYear {
			t.Errorf("%s (%g) after %s (%g)", f.ID, *f.DowntimeMinutesPerYear, byRisk[i-1].ID, *byRisk[i-1].DowntimeMinutesPerYear)
		}
	}
	if withFigure < 2 {
		t.Fatalf("only %d findings with a downtime figure", withFigure)
	}
	bySeverity, plain := get("/api/v1/findings?sort=severity"), get("/api/v1/findings")
	if len(bySeverity) != len(plain) || len(byRisk) != len(plain) {
		t.Fatalf("%d, %d and %d findings", len(byRisk), len(bySeverity), len(plain))
	}
	for i := range plain {
		if bySeverity[i].ID != plain[i].ID {
			t.Fatalf("sort=severity differs from the document's order at %d: %s, %s", i, bySeverity[i].ID, plain[i].ID)
		}
	}
	critical := get("/api/v1/findings?sort=risk&severity=critical")
	if len(critical) == 0 || critical[0].ID != byRisk[0].ID {
		t.Errorf("filtered and sorted: first %v, want %s", critical, byRisk[0].ID)
	}
	for _, q := range []string{"sort=downtime", "sort=risk,severity"} {
		rec := do(t, s, call{method: "GET", path: "/api/v1/findings?" + q})
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "sort: give one of severity (the default) or risk") {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body.String())
		}
	}
}

// TestPlanWindow: a plan asked with a window (GET and POST) has each
// batch's risk beside the plan; a bad window is refused before any work.
func TestPlanWindow(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	for _, c := range []call{
		{method: "GET", path: "/api/v1/plan?maintain=tor-2*&window=4h"},
		{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-2*"],"window":"4h"}`, header: bearer},
	} {
		rec := do(t, s, c)
		if rec.Code != 200 {
			t.Fatalf("%s %s: status %d: %s", c.method, c.path, rec.Code, rec.Body.String())
		}
		var doc struct {
			Batches []plan.Batch      `json:"batches"`
			Window  *audit.PlanWindow `json:"window"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Window == nil || doc.Window.Window != "4h" || doc.Window.Hours != 4 || len(doc.Window.Batches) != len(doc.Batches) {
			t.Fatalf("%s: window %+v for %d batches", c.method, doc.Window, len(doc.Batches))
		}
		raised := 0
		for _, b := range doc.Window.Batches {
			for _, sr := range b.Services {
				raised++
				if sr.Risk <= sr.Baseline || sr.Risk > b.Risk || math.IsNaN(sr.Risk) {
					t.Errorf("batch %d %s: risk %g, baseline %g, batch %g", b.Batch, sr.ID, sr.Risk, sr.Baseline, b.Risk)
				}
			}
		}
		if raised == 0 {
			t.Errorf("%s: no batch of the ToR pair raises a service's risk", c.method)
		}
	}
	if rec := do(t, s, call{method: "GET", path: "/api/v1/plan?maintain=tor-2*"}); strings.Contains(rec.Body.String(), `"window"`) {
		t.Errorf("a plan without a window has one: %.300s", rec.Body.String())
	}
	for _, tc := range []struct {
		c    call
		want string
	}{
		{call{method: "GET", path: "/api/v1/plan?maintain=tor-2*&window=soon"}, `window \"soon\" is not a duration`},
		{call{method: "POST", path: "/api/v1/plan", body: `{"maintain":["tor-2*"],"window":"60d"}`, header: bearer}, "window 1440h is out of range"},
	} {
		rec := do(t, s, tc.c)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s %s: %d %s", tc.c.method, tc.c.path, rec.Code, rec.Body.String())
		}
	}
}

// TestMetricsExpectedDowntime: /metrics has each service's expected
// downtime a year in seconds and its unavailability, the analysis's
// figures.
func TestMetricsExpectedDowntime(t *testing.T) {
	s, eng, _ := newTestServer(t, token)
	body, _, _ := scrape(t, s, "", "")
	a := eng.Snapshot().Analysis
	for _, m := range []struct {
		name string
		want func(i int) float64
	}{
		{"faultline_service_expected_downtime_seconds_per_year", func(i int) float64 { return a.Figures.Services[i].DowntimeMinutes() * 60 }},
		{"faultline_service_unavailability", func(i int) float64 { return a.Figures.Services[i].Unavailability }},
	} {
		re := regexp.MustCompile(`(?m)^` + m.name + `\{service="([^"]+)"\} (\S+)$`)
		found := re.FindAllStringSubmatch(body, -1)
		if len(found) != len(a.G.Services) {
			t.Fatalf("%s: %d series for %d services", m.name, len(found), len(a.G.Services))
		}
		for _, f := range found {
			got, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			if want := m.want(int(a.G.ServiceIndex(f[1]))); math.Abs(got-want) > 1e-12*want || want <= 0 {
				t.Errorf("%s{service=%q} = %g, want %g", m.name, f[1], got, want)
			}
		}
	}
}
