package openpsa_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

// bundled are the inventories that ship with faultline: the bundled
// inventory.yaml and every whole inventory among the docs' examples
// (netbox.md's hand-kept file refers into an imported one, so it is not
// whole on its own).
func bundled(t *testing.T) map[string]*model.Graph {
	t.Helper()
	out := map[string]*model.Graph{"inventory.yaml": load(t, "../inventory.yaml")}
	docs, _ := filepath.Glob("../docs/*.md")
	block := regexp.MustCompile("(?s)```yaml\n(version: 1\n.*?)```")
	for _, doc := range docs {
		if filepath.Base(doc) == "netbox.md" {
			continue
		}
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllSubmatch(data, -1) {
			name := filepath.Base(doc) + "#" + strconv.Itoa(i+1)
			inv, err := inventory.Parse(name, m[1], inventory.Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			g, err := model.Build(inv, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = g
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d bundled inventories found", len(out))
	}
	return out
}

// TestScramValidates: SCRAM accepts the export of every bundled
// inventory (scram --validate checks it against the MEF schema and for
// undefined or doubly defined events).
func TestScramValidates(t *testing.T) {
	bin := scram(t)
	dir := t.TempDir()
	for name, g := range bundled(t) {
		path := export(t, dir, "", g, reliability.Unavailability(g))
		if out, err := exec.Command(bin, "--validate", path).CombinedOutput(); err != nil {
			t.Errorf("%s: scram --validate: %v\n%.2000s", name, err, out)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScramObserved: with observed failures the failed components are
// house events set to true, and SCRAM's single points of failure of each
// service are fault's on the observed state (the audit's current view):
// a service already down has the empty cut set.
func TestScramObserved(t *testing.T) {
	bin := scram(t)
	dir := t.TempDir()
	n := 60
	if raceEnabled || testing.Short() {
		n = 20
	}
	type obs struct {
		g      *model.Graph
		prefix string
		want   map[string][]string // top event -> sorted cut sets
	}
	var all []obs
	var files []string
	houses := 0
	for seed := range n {
		r := rand.New(rand.NewPCG(uint64(seed), 77))
		design, err := model.Build(oracle.RandomInventory(r), nil)
		if err != nil {
			t.Fatal(err)
		}
		failed := make([]bool, len(design.Comps))
		for range 1 + r.IntN(3) {
			failed[r.IntN(len(failed))] = true
		}
		g := design.WithFailed(failed, nil)
		o := obs{g: g, prefix: "o" + strconv.Itoa(seed) + "-", want: observedCuts(g)}
		all = append(all, o)
		files = append(files, export(t, dir, o.prefix, g, reliability.Unavailability(g)))
		data, err := os.ReadFile(files[len(files)-1])
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(`<define-house-event`)) {
			houses++
		}
	}
	if houses < n/2 {
		t.Errorf("only %d of %d exports have a house event for their observed failures", houses, n)
	}
	tops := runScram(t, bin, []string{"--mocus", "--limit-order", "1"}, files...).tops(t)
	for i, o := range all {
		byName := map[string]string{}
		for c := range o.g.Comps {
			byName[o.prefix+openpsa.EventName(o.g, int32(c))] = o.g.ID(int32(c))
		}
		for top, want := range o.want {
			var got []string
			for _, set := range tops[o.prefix+top].products {
				ids := []string{}
				for _, e := range set {
					ids = append(ids, byName[e])
				}
				got = append(got, "{"+strings.Join(ids, " ")+"}")
			}
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("seed %d: %s: order-1 cut sets on the observed state\nfaultline: %v\nSCRAM:     %v", i, top, want, got)
			}
		}
	}
}

// observedCuts is every service's order-1 cut sets under g's observed
// failures, as fault evaluates them ("{}" for a service already down).
func observedCuts(g *model.Graph) map[string][]string {
	ev := fault.New(g, fault.NewFabric(g), g.Failed)
	out := map[string][]string{}
	for s := range g.Services {
		v := ev.Service(int32(s))
		var sets []string
		if !v.Up {
			sets = []string{"{}"}
		}
		for _, c := range ev.Cut(v) {
			if v.Up && fault.Counts(g, int32(s), c) {
				sets = append(sets, "{"+g.ID(c)+"}")
			}
		}
		slices.Sort(sets)
		out[openpsa.TopName(g.Services[s].ID)] = sets
	}
	return out
}
