package model

// cables numbers the cables that carry several links, after every other
// component (so that they leave the others' numbers as they were). A
// cable named by one link alone is that link: it gets no component of
// its own.
func (b *builder) cables() {
	g := b.g
	byID := map[string]int{}
	var order []string
	var links [][]int32
	for i := range b.inv.Links {
		id := b.inv.Links[i].Cable
		if id == "" {
			continue
		}
		k, ok := byID[id]
		if !ok {
			k = len(order)
			byID[id] = k
			order = append(order, id)
			links = append(links, nil)
		}
		links[k] = append(links[k], int32(i))
	}
	for k, id := range order {
		if len(links[k]) < 2 {
			continue
		}
		ci := int32(len(g.Cables))
		g.Cables = append(g.Cables, Cable{Comp: b.comp(id, KindCable, ci), ID: id, Links: links[k]})
		for _, li := range links[k] {
			g.Links[li].Cable = ci
		}
	}
}

// LinkLive reports whether link li is up under failed: it and the cable
// carrying it (if any) are not failed.
func (g *Graph) LinkLive(li int32, failed []bool) bool {
	L := &g.Links[li]
	return !failed[L.Comp] && (L.Cable < 0 || !failed[g.Cables[L.Cable].Comp])
}

// LinkComps appends to dst the components link li depends on: itself and
// the cable carrying it (if any).
func (g *Graph) LinkComps(dst []int32, li int32) []int32 {
	L := &g.Links[li]
	dst = append(dst, L.Comp)
	if L.Cable >= 0 {
		dst = append(dst, g.Cables[L.Cable].Comp)
	}
	return dst
}

// LinksOf lists the links a link or cable component carries (nil for
// other components).
func (g *Graph) LinksOf(c int32) []int32 {
	e := g.Entities[c]
	switch g.Kinds[c] {
	case KindLink:
		return []int32{e}
	case KindCable:
		return g.Cables[e].Links
	}
	return nil
}
