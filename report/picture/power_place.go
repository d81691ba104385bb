package picture

import (
	"math"
)

// place positions sites (wrapping them into rows), racks and power nodes.
func (l *powerLayout) place() {
	y := margin
	width := 0
	for start := 0; start < len(l.sites); {
		end, w := start, 0
		for end < len(l.sites) && (end == start || w+siteGap+l.sites[end].w <= maxPanelW) {
			if end > start {
				w += siteGap
			}
			w += l.sites[end].w
			end++
		}
		x, h := margin, 0
		for _, s := range l.sites[start:end] {
			s.x, s.y = x, y
			l.placeSite(s)
			x += s.w + siteGap
			h = max(h, s.h)
		}
		for _, s := range l.sites[start:end] {
			s.h = h // a row of sites shares one height
		}
		width = max(width, w)
		y += h + siteGap
		start = end
	}
	l.out.W = width + 2*margin
	l.out.H = y - siteGap + margin
	l.placeUpstream()
}

// placeSite positions a site's racks, and its rows of power nodes
// vertically (horizontal positions come from what they feed).
func (l *powerLayout) placeSite(s *siteBox) {
	top := s.y + siteHead + l.rows*(nodeH+rowGap)
	if l.rows > 0 && len(s.rows) == 0 {
		top -= rowGap
	}
	bottom := top
	for r, row := range s.rows {
		top += l.headBand()
		x := s.x + (s.w-rowWidth(row))/2
		h := 0
		for _, rb := range row {
			rb.x, rb.y = x, top
			l.p.placeRack(rb, l, r)
			x += rb.w + rackGap
			h = max(h, rb.h)
		}
		bottom = top + h
		top = bottom + rackRowGap
	}
	s.h = bottom + sitePad - s.y
}

// placeUpstream places the power nodes outside racks, row by row from the
// bottom: each as near the middle of what it feeds as the others allow.
// Nodes feeding nothing drawn are then placed under their inputs.
func (l *powerLayout) placeUpstream() {
	g := l.p.g
	row := func(s *siteBox, r int, wantOf func(i int32) (float64, bool)) {
		nodes := s.layers[r]
		items := make([]*item, len(nodes))
		mid := float64(s.x + s.w/2)
		for k, i := range nodes {
			w, ok := wantOf(i)
			if !ok {
				w = mid
			}
			items[k] = &item{want: w, order: k}
		}
		w := l.p.sz.node
		spread(items, w+nodeGap, s.x+sitePad+w/2, s.x+s.w-sitePad-w/2)
		y := s.y + siteHead + r*(nodeH+rowGap)
		for k, i := range nodes {
			l.at[i] = spot{x: items[k].at, top: y, bottom: y + nodeH, w: w, placed: true}
		}
	}
	mean := func(ids []int32) (float64, bool) {
		var sum float64
		n := 0
		for _, j := range ids {
			if l.at[j].placed {
				sum += float64(l.at[j].x)
				n++
			}
		}
		if n == 0 {
			return math.NaN(), false
		}
		return sum / float64(n), true
	}
	fromKids := func(i int32) (float64, bool) { return mean(l.kids[i]) }
	for r := l.rows - 1; r >= 0; r-- {
		for _, s := range l.sites {
			row(s, r, fromKids)
		}
	}
	for r := 0; r < l.rows; r++ {
		for _, s := range l.sites {
			orphans := false
			for _, i := range s.layers[r] {
				orphans = orphans || len(l.kids[i]) == 0
			}
			if !orphans {
				continue
			}
			row(s, r, func(i int32) (float64, bool) {
				if len(l.kids[i]) > 0 {
					return fromKids(i)
				}
				return mean(g.Power[i].Inputs)
			})
		}
	}
}
