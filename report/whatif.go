package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/audit"
)

// WhatIf renders a what-if result.
func WhatIf(w io.Writer, f Format, r *audit.WhatIf) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case Markdown:
		var b strings.Builder
		fmt.Fprintf(&b, "## What if %s fail%s?\n\n", codeList(r.Failed), verbS(len(r.Failed)))
		section := func(title string, xs []audit.Impact) {
			fmt.Fprintf(&b, "### %s (%d)\n\n", title, len(xs))
			if len(xs) == 0 {
				b.WriteString("None.\n\n")
				return
			}
			for _, x := range xs {
				fmt.Fprintf(&b, "- %s `%s` — %s\n", x.Kind, x.ID, mdEscape(x.Why))
			}
			b.WriteString("\n")
		}
		section("Goes down", r.Down)
		section("Loses redundancy", r.Degraded)
		section("Overloaded", r.Overloaded)
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := &textWriter{w: w}
	tw.wrap("", "  ", fmt.Sprintf("what if %s fail%s: %d service(s) down, %d device(s) down, %d service(s) lose redundancy, %d power node(s) overloaded",
		strings.Join(r.Failed, ", "), verbS(len(r.Failed)), r.ServicesDown(), len(r.Down)-r.ServicesDown(), len(r.Degraded), len(r.Overloaded)))
	section := func(title string, xs []audit.Impact) {
		if len(xs) == 0 {
			return
		}
		tw.line("")
		tw.line(fmt.Sprintf("%s (%d)", title, len(xs)))
		for _, x := range xs {
			tw.wrap("  ", "      ", fmt.Sprintf("%-7s %s: %s", x.Kind, x.ID, x.Why))
		}
	}
	section("GOES DOWN", r.Down)
	section("LOSES REDUNDANCY", r.Degraded)
	section("OVERLOADED", r.Overloaded)
	if len(r.Down) == 0 && len(r.Degraded) == 0 && len(r.Overloaded) == 0 {
		tw.line("nothing goes down, nothing loses redundancy")
	}
	return tw.err
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// Diff renders the findings a change introduces and resolves.
func Diff(w io.Writer, f Format, oldName, newName string, d *audit.Diff) error {
	switch f {
	case JSON:
		return writeJSON(w, d)
	case Markdown:
		var b strings.Builder
		fmt.Fprintf(&b, "## faultline diff %s → %s\n\n", mdEscape(oldName), mdEscape(newName))
		fmt.Fprintf(&b, "### Introduced (%d)\n\n", len(d.Introduced))
		for _, x := range d.Introduced {
			mdFinding(&b, x.Finding)
		}
		fmt.Fprintf(&b, "\n### Resolved (%d)\n\n", len(d.Resolved))
		for _, x := range d.Resolved {
			mdFinding(&b, x.Finding)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := &textWriter{w: w}
	tw.line(fmt.Sprintf("%s -> %s: %d introduced, %d resolved", oldName, newName, len(d.Introduced), len(d.Resolved)))
	diffSection(tw, "INTRODUCED", "  + ", "new causes: ", d.Introduced)
	diffSection(tw, "RESOLVED", "  - ", "no longer: ", d.Resolved)
	return tw.err
}

// diffSection lists changed findings, naming the causes that changed when
// only some of a finding's did.
func diffSection(tw *textWriter, title, mark, changedLabel string, cs []audit.Change) {
	if len(cs) == 0 {
		return
	}
	tw.line("")
	tw.line(fmt.Sprintf("%s (%d)", title, len(cs)))
	for _, x := range cs {
		tw.wrap(mark, "      ", fmt.Sprintf("[%s] %s", x.Severity, x.Message))
		if len(x.Changed) < len(x.Causes) {
			tw.wrap("      "+changedLabel, "        ", strings.Join(x.Changed, ", "))
		}
	}
}
