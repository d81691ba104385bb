package picture

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ends returns the first and last points of a path.
func ends(t *testing.T, d string) (x1, y1, x2, y2 int) {
	t.Helper()
	var nums []int
	for _, f := range strings.Fields(d) {
		if n, err := strconv.Atoi(f); err == nil {
			nums = append(nums, n)
		}
	}
	if len(nums) < 4 {
		t.Fatalf("path %q has fewer than two points", d)
	}
	return nums[0], nums[1], nums[len(nums)-2], nums[len(nums)-1]
}

func onEdge(r rect, x, y int) bool {
	in := r.x <= x && x <= r.x+r.w && r.y <= y && y <= r.y+r.h
	return in && (x == r.x || x == r.x+r.w || y == r.y || y == r.y+r.h)
}

func TestNetworkLayout(t *testing.T) {
	for _, path := range inventories(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			g, r := load(t, path)
			p := New(g, r, Options{})
			if p.network == nil {
				if len(g.Links) > 0 {
					t.Fatal("no network picture for an inventory with links")
				}
				return
			}
			boxes := checkPanel(t, "network", p.network)
			if n := len(p.network.Links); n != len(g.Links) {
				t.Errorf("%d links drawn, want %d", n, len(g.Links))
			}
			for _, l := range p.network.Links {
				link := g.Links[g.Entities[g.Lookup(strings.TrimPrefix(l.ID, "c-"))]]
				a, b := boxes[NetworkID(g.Devices[link.A].ID)], boxes[NetworkID(g.Devices[link.B].ID)]
				x1, y1, x2, y2 := ends(t, l.D)
				if !(onEdge(a, x1, y1) && onEdge(b, x2, y2)) && !(onEdge(b, x1, y1) && onEdge(a, x2, y2)) {
					t.Errorf("link %s runs from (%d,%d) to (%d,%d), not between %v and %v", l.ID, x1, y1, x2, y2, a, b)
				}
			}
			for d := range g.Devices {
				if g.Devices[d].Root && !p.netRow[int32(d)] {
					t.Errorf("root %s is not in the network picture", g.Devices[d].ID)
				}
			}
		})
	}
}

// TestRootsOnTop: roots form the first row; a server two switches away
// from them is in the third.
func TestRootsOnTop(t *testing.T) {
	g, r := load(t, "../../inventory.yaml")
	p := New(g, r, Options{})
	y := map[string]int{}
	for _, n := range p.network.Nodes {
		y[strings.TrimPrefix(n.ID, "n-")] = n.Y
	}
	if !(y["core-1"] == y["core-2"] && y["core-2"] == y["core-d1"]) {
		t.Errorf("roots are not in one row: %v", y)
	}
	if !(y["core-1"] < y["tor-2a"] && y["tor-2a"] < y["db-1"]) {
		t.Errorf("core-1 at %d, tor-2a at %d, db-1 at %d: want them top down", y["core-1"], y["tor-2a"], y["db-1"])
	}
}
