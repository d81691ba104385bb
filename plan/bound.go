package plan

import (
	"cmp"
	"slices"
)

// edgeSet is the pairwise conflict graph over the selected components
// (local indexes): two components joined by an edge may not share a batch.
type edgeSet struct {
	m   map[uint64]struct{}
	adj map[int32][]int32
}

func newEdgeSet() *edgeSet { return &edgeSet{m: map[uint64]struct{}{}, adj: map[int32][]int32{}} }

func edgeKey(i, j int32) uint64 {
	if i > j {
		i, j = j, i
	}
	return uint64(uint32(i))<<32 | uint64(uint32(j))
}

func (s *edgeSet) has(i, j int32) bool { _, ok := s.m[edgeKey(i, j)]; return ok }

func (s *edgeSet) add(i, j int32) {
	if i == j || s.has(i, j) {
		return
	}
	s.m[edgeKey(i, j)] = struct{}{}
	s.adj[i] = append(s.adj[i], j)
	s.adj[j] = append(s.adj[j], i)
}

func (s *edgeSet) degree(i int32) int { return len(s.adj[i]) }

// cliqueBudget caps the branch-and-bound steps of the clique search; the
// best clique found is a valid bound however the search ends.
const cliqueBudget = 1_000_000

// clique returns a largest clique it finds among vs: exact (Bron–Kerbosch
// with pivoting) unless the search exceeds its budget, when it is the
// largest found so far. Any clique is a proven lower bound on the batches.
func (s *edgeSet) clique(vs []int32) []int32 {
	for _, l := range s.adj {
		slices.Sort(l)
	}
	var best []int32
	steps := 0
	var bk func(r, p, x []int32)
	bk = func(r, p, x []int32) {
		steps++
		if len(p) == 0 && len(x) == 0 {
			if len(r) > len(best) {
				best = slices.Clone(r)
			}
			return
		}
		if steps > cliqueBudget || len(r)+len(p) <= len(best) {
			return
		}
		// Pivot: the vertex of p ∪ x with most neighbours in p.
		pivot, most := int32(-1), -1
		for _, u := range append(slices.Clone(p), x...) {
			if n := len(intersect(nil, s.adj[u], p)); n > most {
				pivot, most = u, n
			}
		}
		for _, v := range slices.Clone(p) {
			if _, isN := slices.BinarySearch(s.adj[pivot], v); isN {
				continue
			}
			nv := s.adj[v]
			bk(append(slices.Clone(r), v), intersect(nil, nv, p), intersect(nil, nv, x))
			i, _ := slices.BinarySearch(p, v)
			p = slices.Delete(slices.Clone(p), i, i+1)
			x = append(slices.Clone(x), v)
			slices.Sort(x)
		}
	}
	// Vertices with edges, most connected first (good cliques early).
	var p []int32
	for _, v := range vs {
		if s.degree(v) > 0 {
			p = append(p, v)
		}
	}
	if len(p) == 0 {
		if len(vs) > 0 {
			return vs[:1]
		}
		return nil
	}
	// Start from each vertex's neighbourhood in turn (degeneracy-like):
	// small sub-problems, and later vertices exclude earlier ones.
	order := slices.Clone(p)
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(s.degree(a), s.degree(b)) })
	pos := map[int32]int{}
	for i, v := range order {
		pos[v] = i
	}
	for _, v := range order {
		if s.degree(v)+1 <= len(best) {
			continue
		}
		var later, earlier []int32
		for _, u := range s.adj[v] {
			if pos[u] > pos[v] {
				later = append(later, u)
			} else {
				earlier = append(earlier, u)
			}
		}
		slices.Sort(later)
		slices.Sort(earlier)
		bk([]int32{v}, later, earlier)
		if steps > cliqueBudget {
			break
		}
	}
	return best
}

// intersect appends to dst the elements of ascending a that are in
// ascending b.
func intersect(dst, a, b []int32) []int32 {
	return append(dst, shared(nil, a, b)...)
}
