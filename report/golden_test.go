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

func TestGoldenDiff(t *testing.T) {
	_, old := audit.Audit(graph(t, "testdata/cases/nfs.yaml"), audit.Options{})
	_, fixed := audit.Audit(graph(t, "testdata/diff/nfs-fixed.yaml"), audit.Options{})
	d := audit.DiffFindings(old, fixed)
	if len(d.Resolved) == 0 || len(d.Introduced) != 0 {
		t.Errorf("adding a second filer: %d introduced, %d resolved", len(d.Introduced), len(d.Resolved))
	}
	for _, format := range []struct {
		f   Format
		ext string
	}{{JSON, "json"}, {Table, "txt"}, {Markdown, "md"}} {
		var b bytes.Buffer
		if err := Diff(&b, format.f, "nfs.yaml", "nfs-fixed.yaml", d); err != nil {
			t.Fatal(err)
		}
		golden(t, "diff-nfs."+format.ext, b.Bytes())
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
