package openpsa_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// TestGolden: the bundled inventory's export, byte for byte (go test
// -update rewrites it), and the same bytes every time.
func TestGolden(t *testing.T) {
	g := load(t, "../inventory.yaml")
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
	golden := filepath.Join("testdata", "inventory.xml")
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
