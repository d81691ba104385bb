package picture

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text metrics. Labels are ids in a monospaced face, so their width is
// known without a font: 11 px type advances about 0.6 em per character.
const (
	monoCharW  = 6.7 // px per character of an 11 px monospaced label
	sansCharW  = 7.0 // px per character of a 12.5 px caption, generously
	smallCharW = 5.6 // px per character of a 9.5 px monospaced note
)

// thousands writes a count for people: "55,004".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fit shortens s with an ellipsis so that it fits in px pixels.
func fit(s string, px int, charW float64) string {
	n := int(float64(px) / charW)
	if n < 2 {
		n = 2
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// textW estimates the width of s in pixels.
func textW(s string, charW float64) int {
	return int(float64(utf8.RuneCountInString(s))*charW + 0.5)
}

// curve is a vertical S-curve from (x1, y1) down (or up) to (x2, y2).
func curve(x1, y1, x2, y2 int) string {
	ym := (y1 + y2) / 2
	return path('M', x1, y1, 'C', x1, ym, x2, ym, x2, y2)
}

// path writes an SVG path from commands and integer coordinates: a rune
// is a command letter, an int a coordinate.
func path(parts ...any) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch v := p.(type) {
		case rune:
			b.WriteRune(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		}
	}
	return b.String()
}

// sizes are the widths of boxes, made to fit the longest drawn id (up to
// a limit; longer ids are shortened with an ellipsis, and shown whole in
// the tooltip).
type sizes struct {
	node int // a power node outside racks
	head int // a PDU's head above its rack
	dev  int // a device in a rack (at least)
	net  int // a device in the network picture
}

// measure sizes the boxes for what is drawn.
func (p *Picture) measure() sizes {
	g, sel := p.g, p.sel
	var node, head, dev int
	for i := range g.Power {
		if !sel.power[i] {
			continue
		}
		w := textW(g.Power[i].ID, monoCharW)
		if r := g.Power[i].Rack; r >= 0 && sel.rack[r] {
			head = max(head, w)
		} else {
			node = max(node, w)
		}
	}
	for d := range g.Devices {
		if sel.dev[d] {
			dev = max(dev, textW(g.Devices[d].ID, monoCharW))
		}
	}
	return sizes{
		node: clamp(node+16, 104, 180),
		head: clamp(head+14, 84, 150),
		dev:  clamp(dev+44, 120, 220),
		net:  clamp(dev+16, 112, 190),
	}
}

func clamp(x, lo, hi int) int { return min(max(x, lo), hi) }

// formatWatts writes a power rating: "800 W", "7.4 kW".
func formatWatts(w float64) string {
	if w >= 1000 {
		return strconv.FormatFloat(w/1000, 'f', -1, 64) + " kW"
	}
	return strconv.FormatFloat(w, 'f', -1, 64) + " W"
}
