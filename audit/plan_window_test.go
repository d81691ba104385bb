package audit

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// windowExact is the probability that service s is down with the base
// components failed and each other counting component of its cone failed
// with probability p, by enumerating every state of the cone with the
// naive oracle.
func windowExact(o *oracle.Oracle, g *model.Graph, s int32, cone []int32, base []int32, p []float64) float64 {
	svc := slices.IndexFunc(o.Inv.Services, func(x inventory.Service) bool { return x.ID == g.Services[s].ID })
	u := 0.0
	for mask := uint32(0); mask < 1<<len(cone); mask++ {
		failed := make([]bool, len(o.Comps))
		for _, c := range base {
			failed[o.Index[g.ID(c)]] = true
		}
		pr := 1.0
		for i, c := range cone {
			if mask&(1<<i) != 0 {
				failed[o.Index[g.ID(c)]] = true
				pr *= p[c]
			} else {
				pr *= 1 - p[c]
			}
		}
		if !o.Eval(failed).Svc[svc] {
			u += pr
		}
	}
	return u
}

// TestWindowAgainstExact: on small random inventories, each batch of one
// to three random components, and windows from four hours to a month,
// every service the batch reaches has a risk with the batch out, and one
// without it, within the stated error bound of the exact probability
// (the service's cone enumerated state by state with the batch failed,
// each other component failing within the window with probability
// 1 − exp(−afr × window / 8760 h)); a service the batch takes down
// outright is Down.
func TestWindowAgainstExact(t *testing.T) {
	n := 300
	if testing.Short() || raceEnabled {
		n = 80
	}
	checked, raised := 0, 0
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 42))
		inv := oracle.RandomInventory(r)
		o := oracle.New(inv)
		g, err := model.Build(inv, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		hours := []float64{4, 48, 744}[seed%3]
		rates := reliability.Rates(g)
		p := make([]float64, len(g.Comps))
		for c := range p {
			p[c] = reliability.WindowProbability(rates[c].AFR, hours)
		}
		net := fault.NewFabric(g)
		w := reliability.NewWindow(g, net, make([]bool, len(g.Comps)), rates, hours)
		pairs := fault.NewPairs(g, net, fault.New(g, net, make([]bool, len(g.Comps))))
		// The batch: one to three components of a random service's cone
		// (so that it reaches something), or of the whole graph.
		from := pairs.Cone(int32(r.IntN(len(g.Services))))
		if len(from) == 0 || seed%5 == 0 {
			from = make([]int32, len(g.Comps))
			for c := range from {
				from[c] = int32(c)
			}
		}
		batch := make([]int32, 1+r.IntN(3))
		for i := range batch {
			batch[i] = from[r.IntN(len(from))]
		}
		risks, err := w.Batch(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, rk := range risks {
			var cone, rest []int32
			for _, c := range pairs.Cone(rk.Service) {
				if fault.Counts(g, rk.Service, c) {
					cone = append(cone, c)
					if !slices.Contains(batch, c) {
						rest = append(rest, c)
					}
				}
			}
			if len(cone) > maxExactCone {
				continue
			}
			checked++
			with := windowExact(o, g, rk.Service, rest, batch, p)
			without := windowExact(o, g, rk.Service, cone, nil, p)
			checkWindow(t, seed, g.Services[rk.Service].ID, "with the batch out", rk.With, with)
			checkWindow(t, seed, g.Services[rk.Service].ID, "with the batch in", rk.Without, without)
			if rk.With.Unavailability > rk.Without.Unavailability {
				raised++
			}
		}
	}
	if checked < n/10 || raised < n/20 {
		t.Fatalf("only %d services checked, %d with a raised risk", checked, raised)
	}
	t.Logf("%d services enumerated, %d with a risk the batch raises", checked, raised)
}

func checkWindow(t *testing.T, seed int, name, how string, f reliability.Service, exact float64) {
	t.Helper()
	if f.Down {
		if math.Abs(exact-1) > 1e-12 {
			t.Fatalf("seed %d service %s %s: down outright by the figures, exact probability %g", seed, name, how, exact)
		}
		return
	}
	if d := math.Abs(f.Unavailability - exact); d > f.ErrorBound*(1+1e-9)+1e-15 {
		t.Fatalf("seed %d service %s %s: risk %g, exact %g: off by %g, beyond the bound %g", seed, name, how, f.Unavailability, exact, d, f.ErrorBound)
	}
}

// TestPlanRiskWindowBounds: a window outside [1m, 31 days] is refused
// with the range, and WindowText writes durations without zero units.
func TestPlanRiskWindowBounds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		ok   bool
		text string
	}{
		{0, false, "0s"},
		{30 * time.Second, false, "30s"},
		{time.Minute, true, "1m"},
		{4 * time.Hour, true, "4h"},
		{90 * time.Minute, true, "1h30m"},
		{MaxWindow, true, "744h"},
		{MaxWindow + time.Hour, false, "745h"},
		{-time.Hour, false, "-1h"},
	} {
		if got := WindowText(tt.d); got != tt.text {
			t.Errorf("WindowText(%v) = %q, want %q", tt.d, got, tt.text)
		}
		err := CheckWindow(tt.d)
		if (err == nil) != tt.ok {
			t.Errorf("CheckWindow(%v) = %v, want ok %v", tt.d, err, tt.ok)
		}
		if err != nil && err.Error() != "window "+tt.text+" is out of range: give a duration from 1m to 744h (e.g. 4h)" {
			t.Errorf("CheckWindow(%v) = %q", tt.d, err)
		}
	}
}

// TestParseWindow: durations in Go's form and in days are read; what is
// not a duration, or out of range, is refused saying what to give.
func TestParseWindow(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"4h", 4 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"2d", 48 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"four hours", 0, `window "four hours" is not a duration: give e.g. 4h, 90m or 2d`},
		{"", 0, `window "" is not a duration: give e.g. 4h, 90m or 2d`},
		{"-4h", 0, `window "-4h" is not a duration: give e.g. 4h, 90m or 2d`},
		{"32d", 0, "window 768h is out of range: give a duration from 1m to 744h (e.g. 4h)"},
		{"10s", 0, "window 10s is out of range: give a duration from 1m to 744h (e.g. 4h)"},
	} {
		d, err := ParseWindow(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseWindow(%q) = %v, %v; want error %q", tt.in, d, err, tt.err)
			}
			continue
		}
		if err != nil || d != tt.want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
		}
	}
}

// FuzzParseWindow: any text is read without panicking; what is accepted
// is within the bounds, and says so in WindowText's words.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"4h", "90m", "2d", "1d12h", "744h", "745h", "0s", "-1h", "1.5d", "d", "1e9h", "4h\x00", "９h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseWindow(s)
		if err != nil {
			if d != 0 && CheckWindow(d) == nil {
				t.Fatalf("ParseWindow(%q) = %v, %v: an error for a window within bounds", s, d, err)
			}
			return
		}
		if d < MinWindow || d > MaxWindow {
			t.Fatalf("ParseWindow(%q) = %v: out of bounds", s, d)
		}
		if back, err := ParseWindow(WindowText(d)); err != nil || back != d {
			t.Fatalf("ParseWindow(%q) = %v, written %q, read back %v, %v", s, d, WindowText(d), back, err)
		}
	})
}
