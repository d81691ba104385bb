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
				fmt.Fprintf(&b, "- %s %s — %s\n", mdEscape(x.Kind), mdCode(x.ID), mdEscape(x.Why))
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
