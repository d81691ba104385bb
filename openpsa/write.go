package openpsa

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/faultline/faultline/model"
)

// Options tune the export.
type Options struct {
	// MaxFabricWork bounds each network fabric's unrolled gates (see
	// DefaultMaxFabricWork, used when 0).
	MaxFabricWork int
}

// Approximations lists what the export of g approximates, one sentence
// each; none when the tree is exact.
func Approximations(g *model.Graph, opts Options) []string {
	return newBuilder(g, maxWork(opts)).approx
}

func maxWork(opts Options) int {
	if opts.MaxFabricWork > 0 {
		return opts.MaxFabricWork
	}
	return DefaultMaxFabricWork
}

// Write writes g's fault model as an Open-PSA MEF fault tree to w: a top
// event per service (top-ID), the gates they read (down-KIND-ID and, for
// services with dr: true, dr-down-KIND-ID where a site counts), and a
// basic event per component they read, with its probability q[c] (by
// component number) and its faultline id. A component observed failed in
// g is a house event set to true instead. The output is deterministic.
func Write(w io.Writer, g *model.Graph, q []float64, opts Options) error {
	if len(q) != len(g.Comps) {
		return fmt.Errorf("openpsa: %d probabilities for %d components", len(q), len(g.Comps))
	}
	for c, p := range q {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("openpsa: component %s: probability %g is not in [0, 1]", g.Comps[c].ID, p)
		}
	}
	b := newBuilder(g, maxWork(opts))
	tops := make([]*gate, len(g.Services))
	for s := range g.Services {
		S := &g.Services[s]
		tops[s] = &gate{name: TopName(S.ID), label: "service " + S.ID + " down", f: b.service(int32(s), S.DR)}
	}
	bw := bufio.NewWriter(w)
	x := &xw{w: bw}
	x.header(b.approx)
	x.line(1, `<define-fault-tree name="faultline">`)
	for s, t := range tops {
		x.gate(t, [][2]string{{"faultline-service", g.Services[s].ID}})
	}
	for _, gt := range b.gates {
		x.gate(gt, nil)
	}
	x.line(1, `</define-fault-tree>`)
	x.line(1, `<model-data>`)
	for c, used := range b.used {
		if used {
			x.event(g, int32(c), q[c])
		}
	}
	x.line(1, `</model-data>`)
	x.line(0, `</opsa-mef>`)
	return bw.Flush()
}

// xw writes the XML: by hand, so that the layout is stable; every value
// from the inventory or the observations is escaped.
type xw struct{ w *bufio.Writer }

// line writes one line: indent levels of two spaces, then parts.
func (x *xw) line(indent int, parts ...string) {
	for range indent {
		x.w.WriteString("  ")
	}
	for _, p := range parts {
		x.w.WriteString(p)
	}
	x.w.WriteByte('\n')
}

// text escapes s for XML text or an attribute value; control characters
// (which a MEF label may not hold) become spaces.
func text(s string) string {
	if plain(s) {
		return s // the common case: an id as the inventory allows them
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// plain reports whether s needs no escaping in XML text or attributes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == 0x7f, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		}
	}
	return true
}

// comment makes s safe inside an XML comment (no "--").
func comment(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	return strings.TrimSuffix(text(s), "-")
}

func (x *xw) header(approx []string) {
	x.line(0, `<?xml version="1.0" encoding="UTF-8"?>`)
	x.line(0, `<!-- faultline's fault model as an Open-PSA MEF fault tree (faultline export openpsa).`)
	x.line(0, `     One top event per service (top-ID); gates in failure logic (down-KIND-ID; dr-down-KIND-ID where a site counts, under services with dr: true);`)
	x.line(0, `     a basic event per component, with its unavailability, or a house event (true) when observed failed; each carries its faultline id. -->`)
	for _, a := range approx {
		x.line(0, "<!-- approximation: ", comment(a), " -->")
	}
	x.line(0, `<opsa-mef name="faultline">`)
	if len(approx) == 0 {
		x.line(1, `<label>faultline fault model: exact</label>`)
		return
	}
	x.line(1, `<label>faultline fault model: approximated (see the attributes)</label>`)
	x.line(1, `<attributes>`)
	for i, a := range approx {
		x.line(2, `<attribute name="faultline-approximation-`, strconv.Itoa(i+1), `" value="`, text(a), `"/>`)
	}
	x.line(1, `</attributes>`)
}

func (x *xw) gate(gt *gate, attrs [][2]string) {
	x.line(2, `<define-gate name="`, gt.name, `">`)
	x.line(3, `<label>`, text(gt.label), `</label>`)
	if len(attrs) > 0 {
		x.line(3, `<attributes>`)
		for _, a := range attrs {
			x.line(4, `<attribute name="`, a[0], `" value="`, text(a[1]), `"/>`)
		}
		x.line(3, `</attributes>`)
	}
	x.formula(3, gt.f)
	x.line(2, `</define-gate>`)
}

func (x *xw) formula(indent int, e *expr) {
	switch e.op {
	case opFalse, opTrue:
		x.line(indent, `<constant value="`, strconv.FormatBool(e.op == opTrue), `"/>`)
	case opEvent:
		x.line(indent, `<basic-event name="`, e.name, `"/>`)
	case opHouse:
		x.line(indent, `<house-event name="`, e.name, `"/>`)
	case opGate:
		x.line(indent, `<gate name="`, e.name, `"/>`)
	default:
		open, close := `<or>`, `</or>`
		switch e.op {
		case opAnd:
			open, close = `<and>`, `</and>`
		case opAtLeast:
			open, close = `<atleast min="`+strconv.Itoa(e.k)+`">`, `</atleast>`
		}
		x.line(indent, open)
		for _, a := range e.args {
			x.formula(indent+1, a)
		}
		x.line(indent, close)
	}
}

func (x *xw) event(g *model.Graph, c int32, q float64) {
	id := text(g.Comps[c].ID)
	kind := g.Kinds[c].String()
	name := EventName(g, c)
	if g.Failed[c] {
		x.line(2, `<define-house-event name="`, name, `">`)
		x.line(3, `<label>`, kind, ` `, id, `, observed failed</label>`)
		x.line(3, `<attributes><attribute name="faultline-id" value="`, id, `"/><attribute name="faultline-observed" value="failed"/></attributes>`)
		x.line(3, `<constant value="true"/>`)
		x.line(2, `</define-house-event>`)
		return
	}
	x.line(2, `<define-basic-event name="`, name, `">`)
	x.line(3, `<label>`, kind, ` `, id, `</label>`)
	x.line(3, `<attributes><attribute name="faultline-id" value="`, id, `"/></attributes>`)
	x.line(3, `<float value="`, strconv.FormatFloat(q, 'g', -1, 64), `"/>`)
	x.line(2, `</define-basic-event>`)
}
