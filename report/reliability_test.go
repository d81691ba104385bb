package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"regexp"
	"testing"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/reliability"
)

// The seeds' shapes, and what their reliability figures must say.
var reliabilityCases = map[string]string{
	"single-db":       "testdata/cases/single-db.yaml",
	"db-replicated":   "testdata/reliability/db-replicated.yaml",
	"offsite":         "testdata/cases/offsite.yaml",
	"core-feed":       "testdata/cases/core-feed.yaml",
	"core-feed-fixed": "testdata/reliability/core-feed-fixed.yaml",
	"nfs":             "testdata/cases/nfs.yaml",
	"raid0":           "testdata/cases/raid0.yaml",
}

// TestGoldenReliability renders the audit with its reliability figures
// for the seeds' shapes in every format, and checks that the figures move
// the way a reader expects.
func TestGoldenReliability(t *testing.T) {
	rels := map[string]*audit.Reliability{}
	for name, path := range reliabilityCases {
		a, fs := audit.Audit(graph(t, path), audit.Options{Reliability: true})
		r := audit.NewReport(fixedTime, fs)
		r.Reliability = a.ReliabilityReport()
		rels[name] = r.Reliability
		for _, format := range []struct {
			f   Format
			ext string
		}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
			var b bytes.Buffer
			if err := Audit(&b, format.f, "faultline audit of "+name+".yaml", r); err != nil {
				t.Fatal(err)
			}
			golden(t, "reliability-"+name+"."+format.ext, b.Bytes())
		}
		for _, s := range r.Reliability.Services {
			if s.ErrorBound > 0.01*s.Unavailability {
				t.Errorf("%s: %s: error bound %g is more than 1%% of %g", name, s.ID, s.ErrorBound, s.Unavailability)
			}
		}
	}
	svc := func(name, id string) audit.ServiceReliability {
		for _, s := range rels[name].Services {
			if s.ID == id {
				return s
			}
		}
		t.Fatalf("%s: no figures for service %s", name, id)
		return audit.ServiceReliability{}
	}
	fv := func(s audit.ServiceReliability, c string) float64 {
		for _, im := range s.Importance {
			if im.Component == c {
				return im.FussellVesely
			}
		}
		return 0
	}
	minutes := func(name, id string) float64 { return svc(name, id).DowntimeMinutesPerYear }
	if a, b := minutes("core-feed-fixed", "app"), minutes("core-feed", "app"); !(a < b) || fv(svc("core-feed-fixed", "app"), "feed-a") > 1e-3 || fv(svc("core-feed", "app"), "feed-a") < 0.01 {
		t.Errorf("moving the core switches' second PSUs to feed-b: app %s → %s, feed-a's share %.2g → %.2g; want less, and from over 1%% to only pairs' (under 0.1%%)", Downtime(b), Downtime(a), fv(svc("core-feed", "app"), "feed-a"), fv(svc("core-feed-fixed", "app"), "feed-a"))
	}
	if a, b := minutes("db-replicated", "db"), minutes("single-db", "db"); !(a < b/100) {
		t.Errorf("replicating the database over three racks and two sites: db %s → %s; want a hundredth or less", Downtime(b), Downtime(a))
	}
	if a, b := minutes("offsite", "db"), minutes("db-replicated", "db"); !(a > 100*b) {
		t.Errorf("an \"off-site\" replica in the same site on one grid: db %s, truly off site %s; want a hundred times more", Downtime(a), Downtime(b))
	}
	if web, nfs := svc("nfs", "web"), svc("nfs", "nfs"); !(web.DowntimeMinutesPerYear >= nfs.DowntimeMinutesPerYear) || web.Importance[0].Component != nfs.Importance[0].Component {
		t.Errorf("web requires nfs: web %s (most from %s), nfs %s (most from %s); want web at least nfs's, from the same component", Downtime(web.DowntimeMinutesPerYear), web.Importance[0].Component, Downtime(nfs.DowntimeMinutesPerYear), nfs.Importance[0].Component)
	}
	if a, b := minutes("raid0", "mail"), minutes("single-db", "db"); !(a > b) {
		t.Errorf("a mail host on striped disks: %s; a database on mirrored disks: %s; want more", Downtime(a), Downtime(b))
	}
	for _, im := range svc("raid0", "mail").Importance {
		if (im.Component == "mail-1/spool/0" || im.Component == "mail-1/os/0") && im.Birnbaum != 1 {
			t.Errorf("raid0: %s is a single point of failure of mail: Birnbaum %g, want 1", im.Component, im.Birnbaum)
		}
	}
}

func TestDowntime(t *testing.T) {
	tests := []struct {
		minutes float64
		want    string
	}{
		{0, "0.00 s/yr"},
		{0.0138, "0.83 s/yr"},
		{0.5, "30.0 s/yr"},
		{1, "1.00 min/yr"},
		{78.27, "78.3 min/yr"},
		{119.9, "120 min/yr"},
		{135, "2.25 h/yr"},
		{47 * 60, "47.0 h/yr"},
		{525600, "365 days/yr"},
		{1e-5, "0.0006 s/yr"},
	}
	for _, tt := range tests {
		if got := Downtime(tt.minutes); got != tt.want {
			t.Errorf("Downtime(%g) = %q, want %q", tt.minutes, got, tt.want)
		}
	}
}

// TestReliabilityDocExample: docs/reliability.md's JSON example is a
// findings document as the audit writes it: no key the types lack, the
// method the code names, and downtime = unavailability × a year.
func TestReliabilityDocExample(t *testing.T) {
	data, err := os.ReadFile("../docs/reliability.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(data, -1)
	if len(blocks) != 1 {
		t.Fatalf("docs/reliability.md has %d json blocks, want 1", len(blocks))
	}
	dec := json.NewDecoder(bytes.NewReader(blocks[0][1]))
	dec.DisallowUnknownFields()
	var r audit.Report
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("docs/reliability.md's example: %v", err)
	}
	if r.Reliability == nil || r.Reliability.Method != reliability.Method || r.Reliability.YearHours != reliability.YearHours {
		t.Fatalf("docs/reliability.md's example: reliability %+v; want the method and year the code uses", r.Reliability)
	}
	for _, s := range r.Reliability.Services {
		if want := s.Unavailability * reliability.MinutesPerYear; math.Abs(s.DowntimeMinutesPerYear-want) > 0.05 {
			t.Errorf("docs/reliability.md: %s: %g min/yr, but unavailability %g is %.1f", s.ID, s.DowntimeMinutesPerYear, s.Unavailability, want)
		}
	}
	if r.Findings[0].DowntimeMinutesPerYear == nil {
		t.Error("docs/reliability.md's example finding has no downtime_minutes_per_year")
	}
}
