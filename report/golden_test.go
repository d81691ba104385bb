package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedTime = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func graph(t testing.TB, path string) *model.Graph {
	t.Helper()
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGoldenAudit renders the audit of each hand-made case in every format.
// Together the cases must exercise every structural rule.
func TestGoldenAudit(t *testing.T) {
	cases, _ := filepath.Glob("testdata/cases/*.yaml")
	seen := map[string]bool{}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			_, fs := audit.Audit(graph(t, path), audit.Options{})
			r := audit.NewReport(fixedTime, fs)
			for _, f := range r.Findings {
				seen[f.Rule] = true
			}
			for _, format := range []struct {
				f   Format
				ext string
			}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
				var b bytes.Buffer
				if err := Audit(&b, format.f, "faultline audit of "+name+".yaml", r); err != nil {
					t.Fatal(err)
				}
				golden(t, name+"."+format.ext, b.Bytes())
			}
		})
	}
	for _, rule := range audit.Rules {
		if !rule.Live && !seen[rule.ID] {
			t.Errorf("no golden case produces a %s finding", rule.ID)
		}
	}
}

func TestGoldenWhatIf(t *testing.T) {
	g := graph(t, "testdata/cases/core-feed.yaml")
	w, err := audit.RunWhatIf(g, nil, []string{"feed-a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []struct {
		f   Format
		ext string
	}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
		var b bytes.Buffer
		if err := WhatIf(&b, format.f, w); err != nil {
			t.Fatal(err)
		}
		golden(t, "whatif-core-feed."+format.ext, b.Bytes())
	}
}

// TestGoldenDiff renders the three kinds of change in every format: a
// problem introduced, one resolved, and problems that stay open with
// causes removed (changed, never "resolved") or added (worsened); and
// each service's expected downtime before and after.
func TestGoldenDiff(t *testing.T) {
	cases := []struct {
		name, old, new                string
		introduced, changed, resolved int
	}{
		{"introduced", "testdata/diff/feeds-two.yaml", "testdata/diff/db-added.yaml", 1, 0, 0},
		{"resolved", "testdata/diff/db-added.yaml", "testdata/diff/feeds-two.yaml", 0, 0, 1},
		{"changed", "testdata/diff/feeds-one.yaml", "testdata/diff/feeds-two.yaml", 0, 2, 3},
		{"worsened", "testdata/diff/feeds-two.yaml", "testdata/diff/feeds-one.yaml", 3, 2, 0},
		{"nfs", "testdata/cases/nfs.yaml", "testdata/diff/nfs-fixed.yaml", 0, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			oldA, old := audit.Audit(graph(t, tc.old), audit.Options{Reliability: true})
			newInv, err := inventory.Load(tc.new, inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := model.Build(newInv, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, cur := audit.Audit(g, audit.Options{Reliability: true})
			d := audit.DiffFindings(old, cur)
			d.Downtime = audit.DiffDowntime(oldA.ReliabilityReport(), a.ReliabilityReport())
			if len(d.Introduced) != tc.introduced || len(d.Changed) != tc.changed || len(d.Resolved) != tc.resolved {
				t.Errorf("%d introduced, %d changed, %d resolved; want %d, %d, %d",
					len(d.Introduced), len(d.Changed), len(d.Resolved), tc.introduced, tc.changed, tc.resolved)
			}
			opts := DiffOptions{Old: filepath.Base(tc.old), New: filepath.Base(tc.new), File: tc.new, Position: func(id string) (int, int) {
				p := newInv.DeclaredAt(id)
				return int(p.Line), int(p.Col)
			}}
			for _, format := range []struct {
				f   Format
				ext string
			}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}, {GitHub, "github"}} {
				var b bytes.Buffer
				if err := Diff(&b, format.f, opts, d); err != nil {
					t.Fatal(err)
				}
				golden(t, "diff-"+tc.name+"."+format.ext, b.Bytes())
			}
		})
	}
}

// TestTableWidth: the table is readable at 80 columns.
func TestTableWidth(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txt")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for i, line := range strings.Split(string(data), "\n") {
			if n := len([]rune(line)); n > Width && strings.Contains(line, " ") {
				t.Errorf("%s:%d is %d columns wide", f, i+1, n)
			}
		}
	}
}
