package openpsa_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

// ring is a fabric with a cycle: eight switches in a ring, a router (the
// root) at two of them, and a server on each of two others.
func ring(t *testing.T) *model.Graph {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nsites: [{id: s1}]\nracks: [{id: r1, site: s1}]\ndevices:\n")
	for _, d := range []string{"core-a", "core-b"} {
		fmt.Fprintf(&b, "  - {id: %s, kind: router, rack: r1}\n", d)
	}
	for i := range 8 {
		fmt.Fprintf(&b, "  - {id: sw%d, kind: switch, rack: r1}\n", i)
	}
	b.WriteString("  - {id: web-1, kind: server, rack: r1}\n  - {id: web-2, kind: server, rack: r1}\nlinks:\n")
	for i := range 8 {
		fmt.Fprintf(&b, "  - {a: \"sw%d:east\", b: \"sw%d:west\"}\n", i, (i+1)%8)
	}
	b.WriteString("  - {a: \"sw0:up\", b: \"core-a:p1\"}\n  - {a: \"sw4:up\", b: \"core-b:p1\"}\n")
	b.WriteString("  - {a: \"sw2:down\", b: \"web-1:eth0\"}\n  - {a: \"sw6:down\", b: \"web-2:eth0\"}\n")
	b.WriteString("network: {roots: [core-a, core-b]}\nservices:\n  - {id: web, members: [web-1, web-2], min_up: 1}\n")
	inv, err := inventory.Parse("ring.yaml", []byte(b.String()), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestApproximation: a fabric too large for its budget is unrolled to
// fewer hops than exact; the file says so (a comment and an attribute),
// SCRAM still reads it, and its probability is an upper bound of the
// exact tree's.
func TestApproximation(t *testing.T) {
	g := ring(t)
	if a := openpsa.Approximations(g, openpsa.Options{}); len(a) != 0 {
		t.Fatalf("the ring fits the default budget, yet: %v", a)
	}
	small := openpsa.Options{MaxFabricWork: 10}
	notes := openpsa.Approximations(g, small)
	if len(notes) != 1 || !strings.Contains(notes[0], "upper bound") {
		t.Fatalf("approximations %q, want one naming the upper bound", notes)
	}
	q := reliability.Unavailability(g)
	for c := range q {
		q[c] = 0.05 // large enough for the long paths to matter
	}
	dir := t.TempDir()
	var buf strings.Builder
	if err := openpsa.Write(&buf, g, q, small); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!-- approximation: the network fabric of sw", `<attribute name="faultline-approximation-1" value="the network fabric of sw`, "<label>faultline fault model: approximated"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the export does not name its approximation: no %q", want)
		}
	}
	approx := dir + "/approx.xml"
	if err := os.WriteFile(approx, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	exact := export(t, dir, "", g, q)
	bin := scram(t)
	args := []string{"--bdd", "--probability", "true", "--limit-order", "1"}
	pa := runScram(t, bin, args, approx).tops(t)["top-web"].prob
	pe := runScram(t, bin, args, exact).tops(t)["top-web"].prob
	if pa < pe*(1-1e-5) {
		t.Errorf("approximated probability %g below the exact %g: not an upper bound", pa, pe)
	}
	t.Logf("web: exact %g, approximated %g", pe, pa)
}
