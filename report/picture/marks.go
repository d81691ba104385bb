package picture

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
)

// Mark is how strongly the picture marks a component.
type Mark uint8

// The marks: the cause of a warning, or of a critical finding.
const (
	Unmarked Mark = iota
	MarkWarning
	MarkCritical
)

// Class returns the CSS class the picture gives elements with this mark.
func (m Mark) Class() string {
	return [...]string{"", "warn", "crit"}[m]
}

// markCauses marks every cause of every finding, the strongest mark winning.
func (p *Picture) markCauses(r *audit.Report) {
	for _, f := range r.Findings {
		m := MarkWarning
		if f.Severity == audit.Critical {
			m = MarkCritical
		} else if f.Severity != audit.Warning {
			continue
		}
		seen := map[int32]bool{}
		for _, id := range f.Causes {
			for _, c := range p.resolve(id) {
				o := p.owner(c)
				if seen[o] {
					continue
				}
				seen[o] = true
				p.marks[o] = max(p.marks[o], m)
				n := p.counts[o]
				if n == nil {
					n = &[2]int{}
					p.counts[o] = n
				}
				n[2-int(m)]++
				if _, ok := p.firstFinding[o]; !ok {
					p.firstFinding[o] = FindingID(f.ID)
				}
			}
		}
	}
}

// owner is the component whose element stands for c: a drive's device, or
// c itself.
func (p *Picture) owner(c int32) int32 {
	if p.g.Kinds[c] == model.KindDrive {
		return p.g.Devices[p.g.Entities[c]].Comp
	}
	return c
}

// MarkOf returns the mark of a component id's element.
func (p *Picture) MarkOf(id string) Mark {
	cs := p.resolve(id)
	if len(cs) != 1 {
		return Unmarked
	}
	return p.marks[p.owner(cs[0])]
}

// classOf returns the classes of an element: its kind's, then its mark
// and observed state.
func (p *Picture) classOf(base string, comps ...int32) string {
	var m Mark
	failed := false
	for _, c := range comps {
		m = max(m, p.marks[c])
		failed = failed || p.g.Failed[c]
	}
	cls := base
	if m != Unmarked {
		cls += " " + m.Class()
	}
	if failed {
		cls += " failed"
	}
	return cls
}

// involvement says in words how many findings name a component as a cause,
// and why it is marked failed.
func (p *Picture) involvement(comps ...int32) string {
	var crit, warn int
	var why []string
	for _, c := range comps {
		if n := p.counts[c]; n != nil {
			crit += n[0]
			warn += n[1]
		}
		if p.g.Failed[c] {
			r := p.g.Failures[c].Why
			if r == "" {
				r = "observed failed"
			}
			why = append(why, p.g.ID(c)+": "+r)
		}
	}
	var parts []string
	switch {
	case crit > 0 && warn > 0:
		parts = append(parts, fmt.Sprintf("cause in %s and %s", count(crit, "critical finding"), count(warn, "warning")))
	case crit > 0:
		parts = append(parts, "cause in "+count(crit, "critical finding"))
	case warn > 0:
		parts = append(parts, "cause in "+count(warn, "warning"))
	}
	parts = append(parts, why...)
	return strings.Join(parts, "\n")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// href returns the link from an element to the first finding naming one of
// its components as a cause.
func (p *Picture) href(comps ...int32) template.URL {
	for _, c := range comps {
		if f, ok := p.firstFinding[c]; ok {
			return Href(f)
		}
	}
	return ""
}

// title joins a tooltip's lines, leaving out empty ones.
func title(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Cause is a component with the number of findings naming it as a cause.
type Cause struct {
	ID                string
	Critical, Warning int
	Href              template.URL // its place in the picture
}

// TopCauses returns up to n components named as a cause by the most
// critical findings (then warnings), most first: where fixing one thing
// fixes the most.
func (p *Picture) TopCauses(n int) []Cause {
	comps := make([]int32, 0, len(p.counts))
	for c := range p.counts {
		comps = append(comps, c)
	}
	slices.SortFunc(comps, func(a, b int32) int {
		ca, cb := p.counts[a], p.counts[b]
		if d := cmp.Compare(cb[0], ca[0]); d != 0 {
			return d
		}
		if d := cmp.Compare(cb[1], ca[1]); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	var out []Cause
	for _, c := range comps[:min(n, len(comps))] {
		cs := Cause{ID: p.g.ID(c), Critical: p.counts[c][0], Warning: p.counts[c][1]}
		if es := p.elements(c); len(es) > 0 {
			cs.Href = Href(es[0])
		}
		out = append(out, cs)
	}
	return out
}
