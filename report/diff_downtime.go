package report

import (
	"fmt"
	"strings"

	"github.com/faultline/faultline/audit"
)

// riseWarning is how much a service's expected downtime must rise, as a
// share of what it was, for its GitHub annotation to be a warning rather
// than a notice.
const riseWarning = 0.10

// downtimeShift words a service's expected downtime before and after:
// "web: 3.00 min/yr → 2.10 h/yr", "web: new, 2.10 h/yr".
func downtimeShift(s audit.ServiceDowntime) string {
	switch {
	case s.Before == nil:
		return fmt.Sprintf("%s: new, %s", s.ID, Downtime(*s.After))
	case s.After == nil:
		return fmt.Sprintf("%s: removed (was %s)", s.ID, Downtime(*s.Before))
	}
	return fmt.Sprintf("%s: %s → %s", s.ID, Downtime(*s.Before), Downtime(*s.After))
}

// changedDowntime splits the services into those whose downtime changed
// (in the diff's order) and a count of the rest.
func changedDowntime(d *audit.Diff) ([]audit.ServiceDowntime, int) {
	var changed []audit.ServiceDowntime
	for _, s := range d.Downtime {
		if s.Changed() {
			changed = append(changed, s)
		}
	}
	return changed, len(d.Downtime) - len(changed)
}

// unchangedText is the closing line: "12 services unchanged".
func unchangedText(n int) string {
	return count(n, "service", "services") + " unchanged"
}

// tableDowntime writes the services' expected downtime before and after.
func tableDowntime(tw *textWriter, d *audit.Diff) {
	if d.Downtime == nil {
		return
	}
	changed, same := changedDowntime(d)
	tw.line("")
	tw.line("EXPECTED DOWNTIME (as designed, per year)")
	for i, s := range changed {
		if i == maxServicesShown {
			tw.line(fmt.Sprintf("  … %d more changed (-o json lists them all)", len(changed)-i))
			break
		}
		tw.wrap("  ", "      ", downtimeShift(s))
	}
	tw.line("  " + unchangedText(same))
}

// mdDowntime writes the services' expected downtime before and after as
// a table.
func mdDowntime(b *strings.Builder, d *audit.Diff) {
	if d.Downtime == nil {
		return
	}
	changed, same := changedDowntime(d)
	b.WriteString("\n### Expected downtime\n\nAs designed, per year (how: faultline's docs/reliability.md).\n\n")
	if len(changed) > 0 {
		b.WriteString("| service | before | after |\n|---|---|---|\n")
	}
	for i, s := range changed {
		if i == maxServicesShown {
			fmt.Fprintf(b, "\n%d more changed (`-o json` lists them all).\n", len(changed)-i)
			break
		}
		before, after := "—", "—"
		if s.Before != nil {
			before = Downtime(*s.Before)
		}
		if s.After != nil {
			after = Downtime(*s.After)
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdCode(s.ID), before, after)
	}
	fmt.Fprintf(b, "\n%s.\n", capitalize(unchangedText(same)))
}

// ghDowntime writes an annotation per service whose downtime changed, on
// the line that declares it in the new inventory: a warning when it rises
// by riseWarning or more (or a new service can be down at all), a notice
// otherwise.
func ghDowntime(b *strings.Builder, o DiffOptions, d *audit.Diff) {
	changed, _ := changedDowntime(d)
	for _, s := range changed {
		lvl := "notice"
		if rise := s.Rise(); rise > 0 && (s.Before == nil || rise >= riseWarning**s.Before) {
			lvl = "warning"
		}
		line, col := o.position(s.ID)
		file := o.file()
		if o.FileOf != nil {
			if f := o.FileOf(s.ID); f != "" {
				file = f
			}
		}
		WriteGitHubCommand(b, lvl, Annotation{File: file, Line: line, Col: col,
			Title: "faultline expected downtime of " + s.ID + " (per year)"}, downtimeShift(s)+" (as designed, per year)")
	}
}
