package reliability

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBonferroni: the second Bonferroni term computed from per-component
// sums equals the sum over every two cut sets of Π q over their union.
func TestBonferroni(t *testing.T) {
	for seed := range 200 {
		r := rand.New(rand.NewPCG(uint64(seed), 5))
		n := 3 + r.IntN(10)
		q := make([]float64, n)
		for i := range q {
			q[i] = r.Float64() * 0.3
		}
		// Singles from the first k components; pairs among the rest (a
		// pair never holds a single point of failure).
		k := r.IntN(n / 2)
		var order1 []int32
		for i := range k {
			order1 = append(order1, int32(i))
		}
		var order2 [][2]int32
		for a := k; a < n; a++ {
			for b := a + 1; b < n; b++ {
				if r.IntN(3) == 0 {
					order2 = append(order2, [2]int32{int32(a), int32(b)})
				}
			}
		}
		acc := newAccum(n)
		for _, c := range order1 {
			acc.add(c, q[c], 1)
		}
		for _, p := range order2 {
			pq := q[p[0]] * q[p[1]]
			acc.add(p[0], pq, q[p[1]])
			acc.add(p[1], pq, q[p[0]])
			acc.pair(p[0], pq)
			acc.pair(p[1], pq)
		}
		got := acc.bonferroni(order1, order2, q)
		var sets [][]int32
		for _, c := range order1 {
			sets = append(sets, []int32{c})
		}
		for _, p := range order2 {
			sets = append(sets, []int32{p[0], p[1]})
		}
		want := 0.0
		for i := range sets {
			for j := i + 1; j < len(sets); j++ {
				union := map[int32]bool{}
				for _, c := range append(append([]int32{}, sets[i]...), sets[j]...) {
					union[c] = true
				}
				p := 1.0
				for c := range union {
					p *= q[c]
				}
				want += p
			}
		}
		if math.Abs(got-want) > 1e-12*max(1, want) {
			t.Fatalf("seed %d: bonferroni %g, by brute force %g", seed, got, want)
		}
		acc.drain(1)
	}
}
