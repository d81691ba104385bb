package picture

import (
	"cmp"
	"slices"
)

// item is something to place on a line: where it would like its centre,
// and a tie-breaker that keeps the order deterministic.
type item struct {
	want  float64
	order int
	at    int // the placed centre
}

// spread places items' centres on a line, at least gap apart, as close to
// where each wants to be as it can (least squares, by pool-adjacent-
// violators on the gap-shifted positions), within [lo, hi] when they fit.
// Items are sorted by wanted position first, so the result never crosses
// two items over each other.
func spread(items []*item, gap, lo, hi int) {
	if len(items) == 0 {
		return
	}
	slices.SortStableFunc(items, func(a, b *item) int {
		if c := cmp.Compare(a.want, b.want); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	n := len(items)
	span := float64((n - 1) * gap)
	if float64(hi-lo) < span {
		// They do not fit: centre them on the range.
		start := float64(lo+hi)/2 - span/2
		for i, it := range items {
			it.at = int(start + float64(i*gap))
		}
		return
	}
	// y_i = x_i - i*gap must be non-decreasing: pool adjacent violators.
	type block struct {
		sum   float64
		count int
	}
	var blocks []block
	for i, it := range items {
		blocks = append(blocks, block{sum: it.want - float64(i*gap), count: 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/float64(a.count) <= b.sum/float64(b.count) {
				break
			}
			blocks = blocks[:len(blocks)-2]
			blocks = append(blocks, block{sum: a.sum + b.sum, count: a.count + b.count})
		}
	}
	i := 0
	maxY := float64(hi) - span
	for _, bl := range blocks {
		y := min(max(bl.sum/float64(bl.count), float64(lo)), maxY)
		for k := 0; k < bl.count; k++ {
			items[i].at = int(y + float64(i*gap) + 0.5)
			i++
		}
	}
}
