package fault

import "slices"

// Cut sets are sorted, duplicate-free lists of component numbers, stored
// in an arena: one growing []int32 per evaluation instead of a slice
// allocation per gate. A span names a set in the arena.
type span struct{ off, n int32 }

type arena struct{ buf []int32 }

func (a *arena) get(s span) []int32 { return a.buf[s.off : s.off+s.n : s.off+s.n] }

func (a *arena) put(s []int32) span {
	if len(s) == 0 {
		return span{}
	}
	off := int32(len(a.buf))
	a.buf = append(a.buf, s...)
	return span{off, int32(len(s))}
}

func (a *arena) reset() { a.buf = a.buf[:0] }

// counter counts, per component, how many of a gate's live inputs it
// would take down: the heart of threshold (k-of-n) cut-set propagation.
type counter struct {
	cnt     []int32
	touched []int32
}

func newCounter(n int) *counter { return &counter{cnt: make([]int32, n)} }

func (c *counter) add(set []int32) {
	for _, x := range set {
		if c.cnt[x] == 0 {
			c.touched = append(c.touched, x)
		}
		c.cnt[x]++
	}
}

// atLeast appends to dst, sorted, every component counted at least k
// times, and clears the counter.
func (c *counter) atLeast(dst []int32, k int32) []int32 {
	start := len(dst)
	for _, x := range c.touched {
		if c.cnt[x] >= k {
			dst = append(dst, x)
		}
		c.cnt[x] = 0
	}
	c.touched = c.touched[:0]
	slices.Sort(dst[start:])
	return dst
}
