package report

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
)

// Plan renders a maintenance plan as a table, JSON or Markdown; title
// names what was planned ("faultline plan of inventory.yaml"); risk, when
// not nil, is each batch's risk during the window (plan --window). The
// HTML page is PlanHTML.
func Plan(w io.Writer, f Format, title string, p *plan.Plan, risk *audit.PlanWindow) error {
	switch f {
	case JSON:
		return writeJSON(w, plan.Document{Plan: p, Window: risk})
	case Markdown:
		return planMarkdown(w, title, p, risk)
	case HTMLPage:
		return errors.New("report: render the plan's page with report.PlanHTML")
	}
	return planTable(w, title, p, risk)
}

// planHeadline is the plan in one sentence.
func planHeadline(p *plan.Plan) string {
	placed := len(p.Maintain) - len(p.Blocked)
	s := fmt.Sprintf("%s for %s", count(len(p.Batches), "batch", "batches"), count(placed, "component", "components"))
	if len(p.Blocked) > 0 {
		s += fmt.Sprintf("; %d blocked", len(p.Blocked))
	}
	return s
}

// boundText states the lower bound and what proves it.
func boundText(p *plan.Plan) string {
	if p.LowerBound == 0 {
		return "nothing can be placed in a batch"
	}
	verdict := "the plan is optimal"
	if len(p.Batches) > p.LowerBound {
		verdict = fmt.Sprintf("the plan may be %d over the optimum", len(p.Batches)-p.LowerBound)
	}
	s := fmt.Sprintf("lower bound %d", p.LowerBound)
	if p.LowerBound > 1 {
		s += " (" + p.LowerBoundReason + ")"
	}
	return s + ": " + verdict
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func loadText(l plan.PeakLoad) string {
	return fmt.Sprintf("%s: up to %s W of %s W (%s)", l.ID, wattsText(l.Watts), wattsText(l.CapacityW), pctText(l.Watts/l.CapacityW))
}

func wattsText(w float64) string { return strconv.FormatFloat(math.Round(w), 'f', -1, 64) }

func pctText(x float64) string { return strconv.FormatFloat(math.Round(x*100), 'f', -1, 64) + "%" }

func planTable(w io.Writer, title string, p *plan.Plan, risk *audit.PlanWindow) error {
	tw := &textWriter{w: w}
	tw.wrap("", "  ", title+": "+planHeadline(p))
	tw.wrap("", "  ", boundText(p))
	if risk != nil {
		tw.wrap("", "  ", windowNote(risk))
	}
	for i, b := range p.Batches {
		tw.line("")
		tw.wrap("", "  ", fmt.Sprintf("BATCH %d (%d): %s", i+1, len(b.Components), strings.Join(b.Components, ", ")))
		if len(b.Degraded) == 0 && len(b.PeakLoad) == 0 {
			tw.line("  nothing loses redundancy; no load rises")
		}
		for _, x := range b.Degraded {
			tw.wrap("  degraded ", "      ", fmt.Sprintf("%s %s: %s", x.Kind, x.ID, x.Why))
		}
		for _, l := range b.PeakLoad {
			tw.wrap("  peak load ", "      ", loadText(l))
		}
		tableRisk(tw, risk, i)
	}
	if len(p.Blocked) > 0 {
		tw.line("")
		tw.line(fmt.Sprintf("BLOCKED (%d): unsafe to take down even alone", len(p.Blocked)))
		for _, b := range p.Blocked {
			tw.line("")
			tw.line("  " + b.Component)
			for _, x := range b.Down {
				tw.wrap("    ", "      ", fmt.Sprintf("%s %s %s", x.Kind, x.ID, x.Why))
			}
			for _, x := range b.Degraded {
				tw.wrap("    ", "      ", fmt.Sprintf("%s %s %s", x.Kind, x.ID, x.Why))
			}
			if len(b.FixFirst) > 0 {
				tw.wrap("    fix first: ", "      ", "repair "+strings.Join(b.FixFirst, " or ")+"; then it can go alone")
			}
		}
	}
	return tw.err
}

func planMarkdown(w io.Writer, title string, p *plan.Plan, risk *audit.PlanWindow) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", mdEscape(title))
	fmt.Fprintf(&b, "**%s.** %s.\n\n", mdEscape(planHeadline(p)), mdEscape(capitalize(boundText(p))))
	if risk != nil {
		fmt.Fprintf(&b, "%s.\n\n", mdEscape(windowNote(risk)))
	}
	for i, bt := range p.Batches {
		fmt.Fprintf(&b, "### Batch %d (%d)\n\n%s\n\n", i+1, len(bt.Components), codeList(bt.Components))
		if len(bt.Degraded) == 0 && len(bt.PeakLoad) == 0 {
			b.WriteString("Nothing loses redundancy; no load rises.\n\n")
			if risk != nil {
				mdRisk(&b, risk, i)
				b.WriteString("\n")
			}
			continue
		}
		for _, x := range bt.Degraded {
			fmt.Fprintf(&b, "- degraded: %s %s — %s\n", mdEscape(x.Kind), mdCode(x.ID), mdEscape(x.Why))
		}
		for _, l := range bt.PeakLoad {
			fmt.Fprintf(&b, "- peak load: %s\n", mdEscape(loadText(l)))
		}
		mdRisk(&b, risk, i)
		b.WriteString("\n")
	}
	if len(p.Blocked) > 0 {
		fmt.Fprintf(&b, "### Blocked (%d)\n\nUnsafe to take down even alone.\n\n", len(p.Blocked))
		for _, bl := range p.Blocked {
			fmt.Fprintf(&b, "- %s\n", mdCode(bl.Component))
			for _, x := range append(append([]audit.Impact(nil), bl.Down...), bl.Degraded...) {
				fmt.Fprintf(&b, "  - %s %s %s\n", mdEscape(x.Kind), mdCode(x.ID), mdEscape(x.Why))
			}
			if len(bl.FixFirst) > 0 {
				fmt.Fprintf(&b, "  - **fix first:** repair %s; then it can go alone\n", strings.Join(wrapCode(bl.FixFirst), " or "))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
