package audit

import (
	"slices"
	"strings"
)

// Diff is what a change to the inventory does to the findings.
//
// The unit compared is a problem: one rule about one subject ("spof" of
// service mail). A finding's id names its nearest cause, and a rule may
// split one subject's causes into several findings by effect, so ids and
// findings are not stable under a change; the problem is. Its causes are
// compared one by one: a problem only in the new inventory is introduced,
// only in the old one resolved, and in both with different causes
// changed — never resolved while it is still open.
type Diff struct {
	Introduced []Change `json:"introduced"`
	Changed    []Change `json:"changed"`
	Resolved   []Change `json:"resolved"`
	// Unchanged counts the problems open before and after with the same causes.
	Unchanged int `json:"unchanged"`
	// Downtime is every service's expected downtime a year before and
	// after (DiffDowntime), when both sides' reliability figures are known.
	Downtime []ServiceDowntime `json:"downtime,omitempty"`
}

// Change is one problem a change introduces, changes or resolves.
type Change struct {
	Rule    string `json:"rule"`
	Subject string `json:"subject"`
	// Severity is the most severe of the findings'.
	Severity Severity `json:"severity"`
	// Findings are the problem's findings in the new inventory, or, when
	// it is resolved, in the old one.
	Findings []Finding `json:"findings"`
	// Before are a changed problem's findings in the old inventory.
	Before []Finding `json:"before,omitempty"`
	// CausesAdded are causes the new inventory has and the old did not;
	// CausesRemoved the reverse. A double fault's cause is its pair,
	// "a+b". Introduced problems have only added causes, resolved only
	// removed ones.
	CausesAdded   []string `json:"causes_added"`
	CausesRemoved []string `json:"causes_removed"`
}

// ID is the id of the problem's first finding, for display.
func (c *Change) ID() string {
	if len(c.Findings) == 0 {
		return c.Rule + "/" + c.Subject
	}
	return c.Findings[0].ID
}

// Worsens reports whether the change makes things worse at or above a
// severity: a problem introduced, or a problem that gains causes.
func (d *Diff) Worsens(s Severity) bool {
	for _, c := range d.Introduced {
		if c.Severity.AtLeast(s) {
			return true
		}
	}
	for _, c := range d.Changed {
		if len(c.CausesAdded) > 0 && c.Severity.AtLeast(s) {
			return true
		}
	}
	return false
}

// atoms are the units of a finding's causes compared by a diff.
func atoms(f Finding) []string {
	if f.Rule == "double-fault" && len(f.Causes) == 2 {
		return []string{f.Causes[0] + "+" + f.Causes[1]}
	}
	return f.Causes
}

// problem is one rule about one subject, on one side of a diff.
type problem struct {
	rule, subject string
	findings      []Finding
	causes        []string // atoms, in first-seen order, no repeats
}

func problems(fs []Finding) (map[string]*problem, []string) {
	byKey := map[string]*problem{}
	var order []string
	for _, f := range fs {
		k := f.Rule + "\x00" + f.Subject
		p := byKey[k]
		if p == nil {
			p = &problem{rule: f.Rule, subject: f.Subject}
			byKey[k] = p
			order = append(order, k)
		}
		p.findings = append(p.findings, f)
		for _, a := range atoms(f) {
			if !slices.Contains(p.causes, a) {
				p.causes = append(p.causes, a)
			}
		}
	}
	return byKey, order
}

// minus is the elements of xs not in ys, in xs's order.
func minus(xs, ys []string) []string {
	out := []string{}
	for _, x := range xs {
		if !slices.Contains(ys, x) {
			out = append(out, x)
		}
	}
	return out
}

// DiffFindings compares the findings of an old and a new inventory.
func DiffFindings(old, new []Finding) *Diff {
	oldP, oldOrder := problems(old)
	newP, newOrder := problems(new)
	d := &Diff{Introduced: []Change{}, Changed: []Change{}, Resolved: []Change{}}
	for _, k := range newOrder {
		n, o := newP[k], oldP[k]
		c := Change{Rule: n.rule, Subject: n.subject, Findings: sorted(n.findings)}
		c.Severity = c.Findings[0].Severity
		if o == nil {
			c.CausesAdded, c.CausesRemoved = slices.Clone(n.causes), []string{}
			d.Introduced = append(d.Introduced, c)
			continue
		}
		c.CausesAdded, c.CausesRemoved = minus(n.causes, o.causes), minus(o.causes, n.causes)
		if len(c.CausesAdded) == 0 && len(c.CausesRemoved) == 0 {
			d.Unchanged++
			continue
		}
		c.Before = sorted(o.findings)
		d.Changed = append(d.Changed, c)
	}
	for _, k := range oldOrder {
		if newP[k] != nil {
			continue
		}
		o := oldP[k]
		c := Change{Rule: o.rule, Subject: o.subject, Findings: sorted(o.findings), CausesAdded: []string{}, CausesRemoved: slices.Clone(o.causes)}
		c.Severity = c.Findings[0].Severity
		d.Resolved = append(d.Resolved, c)
	}
	for _, cs := range [][]Change{d.Introduced, d.Changed, d.Resolved} {
		sortChanges(cs)
	}
	return d
}

func sorted(fs []Finding) []Finding {
	out := slices.Clone(fs)
	SortFindings(out)
	return out
}

// sortChanges orders problems as findings are ordered: most severe first,
// then by rule and subject.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if d := a.Severity.rank() - b.Severity.rank(); d != 0 {
			return d
		}
		if d := ruleRank(a.Rule) - ruleRank(b.Rule); d != 0 {
			return d
		}
		return strings.Compare(a.Subject, b.Subject)
	})
}
