package report

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
)

//go:embed html/plan.tmpl
var planTmpl string

var planPage = template.Must(template.New("plan").Parse(planTmpl))

// PlanHTML writes a maintenance plan as one self-contained HTML page in the
// report page's style: the batches in order with what each degrades and
// the peak loads it causes, then the blocked components with their reasons
// and the repairs that unblock them.
//
// risk, when not nil, is each batch's risk during the window (plan
// --window), shown in its batch.
func PlanHTML(w io.Writer, p *plan.Plan, risk *audit.PlanWindow, opts HTMLOptions) error {
	if p == nil {
		return errors.New("report: plan html: a plan is required")
	}
	at := opts.GeneratedAt
	if at.IsZero() {
		at = p.GeneratedAt
	}
	title := opts.Title
	if title == "" {
		title = "Maintenance plan"
	}
	v := planView{Title: title, Inventory: opts.Inventory, Note: opts.Note, CSS: template.CSS(pageCSS),
		Generated: at.UTC().Format(time.RFC3339), Lead: capitalize(planHeadline(p)) + ".", Bound: capitalize(boundText(p)) + ".",
		Maintain: p.Maintain, Blocked: p.Blocked, LowerBound: p.LowerBound}
	for i, b := range p.Batches {
		bv := batchView{N: i + 1, Components: b.Components, Degraded: b.Degraded, Quiet: len(b.Degraded) == 0 && len(b.PeakLoad) == 0}
		for _, l := range b.PeakLoad {
			x := l.Watts / l.CapacityW
			bv.Loads = append(bv.Loads, loadView{ID: l.ID, Text: fmt.Sprintf("up to %s W of %s W", wattsText(l.Watts), wattsText(l.CapacityW)),
				Pct: pctText(x), Width: template.CSS(strconv.FormatFloat(min(100, x*100), 'f', 1, 64) + "%"), High: x > 0.6})
		}
		bv.RiskTitle, bv.Risks, bv.RiskMore = riskViews(risk, i)
		v.Batches = append(v.Batches, bv)
	}
	if risk != nil {
		v.WindowNote = windowNote(risk) + "."
	}
	var b bytes.Buffer
	if err := planPage.Execute(&b, v); err != nil {
		return fmt.Errorf("report: plan html: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: plan html: writing the page: %w", err)
	}
	return nil
}

type planView struct {
	Title, Inventory, Note, Generated, Lead, Bound string
	WindowNote                                     string
	CSS                                            template.CSS
	Maintain                                       []string
	Batches                                        []batchView
	Blocked                                        []plan.Blocked
	LowerBound                                     int
}

type batchView struct {
	N          int
	Components []string
	Degraded   []audit.Impact
	Loads      []loadView
	Quiet      bool
	RiskTitle  string
	Risks      []string
	RiskMore   int
}

// riskViews are batch i's risk lines for the page: its title, the lines
// (at most maxRisksShown) and how many more the JSON lists.
func riskViews(w *audit.PlanWindow, i int) (title string, lines []string, more int) {
	br := batchRisk(w, i)
	if br == nil {
		return "", nil, 0
	}
	title = capitalize(riskTitle(w))
	if len(br.Services) == 0 {
		return title, []string{"no service's risk rises"}, 0
	}
	for k, s := range br.Services {
		if k == maxRisksShown {
			return title, lines, len(br.Services) - k
		}
		lines = append(lines, riskLine(s))
	}
	return title, lines, 0
}

type loadView struct {
	ID, Text, Pct string
	Width         template.CSS
	High          bool
}
