package openpsa_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// load builds the fault graph of an inventory file.
func load(t *testing.T, path string) *model.Graph {
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

// docInventory builds the graph of the n-th whole inventory (from 1)
// among a document's YAML examples.
func docInventory(t *testing.T, path string, n int) *model.Graph {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(version: 1\n.*?)```").FindAllSubmatch(data, -1)
	if len(blocks) < n {
		t.Fatalf("%s has %d whole inventories, not %d", path, len(blocks), n)
	}
	name := filepath.Base(path) + "#" + strconv.Itoa(n)
	inv, err := inventory.Parse(name, blocks[n-1][1], inventory.Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return g
}

// TestGolden: the exports of the bundled inventory and of
// docs/openpsa.md's bank-split and breakout example, byte for byte (go
// test -update rewrites them), and the same bytes every time.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		golden string
		g      func(*testing.T) *model.Graph
	}{
		{"inventory.xml", func(t *testing.T) *model.Graph { return load(t, "../inventory.yaml") }},
		{"bank-split-breakout.xml", func(t *testing.T) *model.Graph { return docInventory(t, "../docs/openpsa.md", 1) }},
	} {
		t.Run(c.golden, func(t *testing.T) { checkGolden(t, c.g(t), filepath.Join("testdata", c.golden)) })
	}
}

func checkGolden(t *testing.T, g *model.Graph, golden string) {
	var a, b bytes.Buffer
	q := reliability.Unavailability(g)
	if err := openpsa.Write(&a, g, q, openpsa.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := openpsa.Write(&b, g, q, openpsa.Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two exports of the same graph differ")
	}
	if *update {
		if err := os.WriteFile(golden, a.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(want, a.Bytes()) {
		t.Errorf("export differs from %s (go test ./openpsa -update rewrites it after a deliberate change)", golden)
	}
	for _, s := range g.Inv.Services {
		if !strings.Contains(a.String(), `<define-gate name="`+openpsa.TopName(s.ID)+`">`) {
			t.Errorf("no top event for service %s", s.ID)
		}
	}
}

// TestBadProbability: a probability outside [0, 1] is an error, not a
// file SCRAM would reject.
func TestBadProbability(t *testing.T) {
	g := load(t, "../inventory.yaml")
	for _, bad := range []float64{-0.1, 1.5, nanValue()} {
		q := reliability.Unavailability(g)
		q[3] = bad
		err := openpsa.Write(&bytes.Buffer{}, g, q, openpsa.Options{})
		if err == nil || !strings.Contains(err.Error(), g.Comps[3].ID) {
			t.Errorf("probability %g: error %v, want one naming %s", bad, err, g.Comps[3].ID)
		}
	}
	if err := openpsa.Write(&bytes.Buffer{}, g, nil, openpsa.Options{}); err == nil {
		t.Error("no probabilities: no error")
	}
}

func nanValue() float64 { var z float64; return z / z }

// TestDocsExampleCuts: what docs/openpsa.md says of its bank-split and
// breakout example holds in the fault model the export writes: the
// breakout alone takes db down; both feeds, and feed-a with db-1's PSU
// on the other bank, take it down as pairs; neither feed does alone.
func TestDocsExampleCuts(t *testing.T) {
	g := docInventory(t, "../docs/openpsa.md", 1)
	net := fault.NewFabric(g)
	p := fault.NewPairs(g, net, fault.New(g, net, make([]bool, len(g.Comps))))
	db := g.ServiceIndex("db")
	cuts := map[string]bool{}
	for _, c := range p.Cuts(db) {
		cuts[g.ID(c)] = true
	}
	for _, pr := range p.Service(db) {
		ids := sortedIDs(g, pr[:])
		cuts[ids[0]+" + "+ids[1]] = true
	}
	for _, want := range []string{"brk-1", "feed-a + feed-b", "db-1/PSU2 + feed-a"} {
		if !cuts[want] {
			t.Errorf("%s is no minimal cut set of db; the docs say it is (cut sets: %v)", want, cuts)
		}
	}
	for _, not := range []string{"feed-a", "feed-b"} {
		if cuts[not] {
			t.Errorf("%s is a minimal cut set of db; the docs' example says otherwise", not)
		}
	}
}
