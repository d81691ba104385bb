package reliability

import "slices"

// accum gathers, for one service at a time, each component's share of
// the cut sets' probability (for Fussell–Vesely), its Birnbaum
// derivative, and the sums over the pairs that contain it (for the
// Bonferroni term), in dense arrays reset through the touched list.
type accum struct {
	fv, birn, pairSum, pairSq []float64
	seen                      []bool
	touched                   []int32
}

func newAccum(n int) *accum {
	return &accum{fv: make([]float64, n), birn: make([]float64, n),
		pairSum: make([]float64, n), pairSq: make([]float64, n), seen: make([]bool, n)}
}

func (a *accum) touch(c int32) {
	if !a.seen[c] {
		a.seen[c] = true
		a.touched = append(a.touched, c)
	}
}

// add counts a cut set of probability p that contains c; d is ∂p/∂q_c.
func (a *accum) add(c int32, p, d float64) {
	a.touch(c)
	a.fv[c] += p
	a.birn[c] += d
}

// pair counts a pair of probability p that contains c.
func (a *accum) pair(c int32, p float64) {
	a.pairSum[c] += p
	a.pairSq[c] += p * p
}

// bonferroni is the second Bonferroni term over the order-1 and order-2
// cut sets: the sum over every two distinct sets of the probability that
// both are failed, Π q over their union. By kinds of the two sets:
// singles {a},{b}: q_a q_b; a single and a pair (disjoint: a pair holds no
// single point of failure): q_a p; two pairs: p p' when disjoint, p p'/q_x
// when they share x (two distinct pairs share at most one component).
func (a *accum) bonferroni(order1 []int32, order2 [][2]int32, q []float64) float64 {
	s1, s1sq := 0.0, 0.0
	for _, c := range order1 {
		s1 += q[c]
		s1sq += q[c] * q[c]
	}
	p2, p2sq := 0.0, 0.0
	for _, pr := range order2 {
		p := q[pr[0]] * q[pr[1]]
		p2 += p
		p2sq += p * p
	}
	b := (s1*s1-s1sq)/2 + s1*p2 + (p2*p2-p2sq)/2
	for _, c := range a.touched {
		if q[c] > 0 && a.pairSum[c] > 0 {
			b += (1/q[c] - 1) * (a.pairSum[c]*a.pairSum[c] - a.pairSq[c]) / 2
		}
	}
	return max(b, 0)
}

// drain returns the importances of the touched components for a service
// of (rare-event) unavailability u, highest Fussell–Vesely first, and
// resets the accumulator.
func (a *accum) drain(u float64) []Importance {
	out := make([]Importance, 0, len(a.touched))
	for _, c := range a.touched {
		fv := 0.0
		if u > 0 {
			fv = a.fv[c] / u
		}
		out = append(out, Importance{Component: c, FussellVesely: fv, Birnbaum: a.birn[c]})
		a.fv[c], a.birn[c], a.pairSum[c], a.pairSq[c], a.seen[c] = 0, 0, 0, 0, false
	}
	a.touched = a.touched[:0]
	slices.SortFunc(out, byFV)
	return out
}
