package redfish

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/faultline/faultline/observation"
)

// TestEachBoundsWorkers: a walk runs every item once on at most PerDevice
// workers, and hands out no more work once its context ends.
func TestEachBoundsWorkers(t *testing.T) {
	for _, per := range []int{1, 4, 16} {
		p := New(Options{PerDevice: per})
		pl := &poll{p: p}
		var running, most atomic.Int64
		var mu sync.Mutex
		seen := map[int]int{}
		pl.each(context.Background(), 1000, func(i int) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			mu.Lock()
			seen[i]++
			mu.Unlock()
		})
		if len(seen) != 1000 {
			t.Errorf("PerDevice %d: %d items run, want 1000", per, len(seen))
		}
		for i, n := range seen {
			if n != 1 {
				t.Errorf("PerDevice %d: item %d run %d times", per, i, n)
			}
		}
		if most.Load() > int64(per) {
			t.Errorf("PerDevice %d: %d items at once", per, most.Load())
		}
	}

	// Items started once the context has ended: at most one per other
	// worker (each may have passed its check just before).
	ctx, cancel := context.WithCancel(context.Background())
	pl := &poll{p: New(Options{PerDevice: 4})}
	var ran, after atomic.Int64
	var ended atomic.Bool
	pl.each(ctx, 1000, func(i int) {
		if ended.Load() {
			after.Add(1)
		}
		if ran.Add(1) == 10 {
			cancel()
			ended.Store(true)
		}
	})
	if n := after.Load(); n > 3 {
		t.Errorf("%d items started after the context ended (4 workers: at most 3)", n)
	}
}

// TestDeviceMemoryBounded: what is remembered for a device under an old
// endpoint is dropped when it is polled at a new one.
func TestDeviceMemoryBounded(t *testing.T) {
	p := New(Options{})
	p.device("db-1", "https://10.0.0.1")
	p.device("db-10", "https://10.0.0.10")
	p.device("db-1", "https://10.0.0.2")
	p.device("db-1", "https://10.0.0.2")
	if len(p.devices) != 2 {
		t.Errorf("%d devices remembered, want 2 (db-1 at its new endpoint, db-10)", len(p.devices))
	}
	if _, ok := p.devices["db-10\x00https://10.0.0.10"]; !ok {
		t.Error("db-10 was forgotten with db-1's old endpoint")
	}
}

func TestMaxArray(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{}`, 0},
		{`[]`, 0},
		{`[1]`, 1},
		{`{"a":[1,2,3],"b":{"c":[[1,2,3,4],[]]}}`, 4},
		{`["a,b,c", "[1,2,3,4,5]"]`, 2},
		{`{"s":"\"[1,2]\"","t":[{},{},{}]}`, 3},
	} {
		if got := maxArray([]byte(tc.in)); got != tc.want {
			t.Errorf("maxArray(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestQualifyPorts(t *testing.T) {
	names := func(ps []observation.Port) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	ports := func(ns ...string) []observation.Port {
		var out []observation.Port
		for _, n := range ns {
			out = append(out, observation.Port{Name: n})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		in     []string
		owners []string
		want   []string
	}{
		{"unique stay plain", []string{"eno1", "eno2"}, []string{"1", "1"}, []string{"eno1", "eno2"}},
		{"shared qualified", []string{"eno1", "eno1", "eno3"}, []string{"1", "2", "2"}, []string{"1/eno1", "2/eno1", "eno3"}},
		{"case folds", []string{"ENO1", "eno1"}, []string{"1", "2"}, []string{"1/ENO1", "2/eno1"}},
		{"one Id for two systems", []string{"eno1", "eno1"}, []string{"1", "1"}, []string{"1/eno1", "1/eno1#2"}},
		{"a port already named so", []string{"eno1", "eno1", "1/eno1"}, []string{"1", "2", "x"}, []string{"1/eno1#2", "2/eno1", "1/eno1"}},
	} {
		ps := ports(tc.in...)
		qualifyPorts(ps, tc.owners)
		if got := names(ps); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// Thousands of one name on one system: unique, in linear time.
	ps := make([]observation.Port, 5000)
	owners := make([]string, len(ps))
	for i := range ps {
		ps[i].Name, owners[i] = "eth", "1"
	}
	qualifyPorts(ps, owners)
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			t.Fatalf("two ports named %q", p.Name)
		}
		seen[p.Name] = true
	}
}
