package report

import (
	"html/template"
	"net/url"
	"sort"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report/picture"
)

// maxCompletionIDs bounds the component ids the page lists for the
// what-if input's completion, so that a fleet of a million components
// does not make a page of megabytes; above it the input takes any id and
// the server checks it.
const maxCompletionIDs = 5000

// whatIfView is the what-if workbench of the page: the form, and the
// server-rendered answer when the page was asked with ?fail=.
type whatIfView struct {
	// Action is where the form sends its GET (the /report page itself).
	Action string
	Fail   string
	// PlanHref is the read-only plan for the selection, for a page read
	// without the script (which shows "Plan these" instead).
	PlanHref string
	IDs      []string
	Result   *whatIfResult
	Error    string
	// Marks is a style sheet marking the result in the picture, so that
	// the answer shows without the script too.
	Marks template.CSS
}

type whatIfResult struct {
	Failed                     []string
	Down, Degraded, Overloaded []audit.Impact
	ServicesDown               int
}

func newWhatIfView(g *model.Graph, opts HTMLOptions) *whatIfView {
	v := &whatIfView{Action: opts.WhatIfAction, Fail: strings.Join(opts.Fail, ","), Error: opts.WhatIfError}
	if len(opts.Fail) > 0 && strings.HasSuffix(opts.WhatIfAction, "report") {
		v.PlanHref = strings.TrimSuffix(opts.WhatIfAction, "report") + "api/v1/plan?maintain=" + url.QueryEscape(v.Fail)
	}
	if len(g.Comps) <= maxCompletionIDs {
		for _, c := range g.Comps {
			if c.Kind != model.KindDrive {
				v.IDs = append(v.IDs, c.ID)
			}
		}
		sort.Strings(v.IDs)
	}
	if w := opts.WhatIf; w != nil {
		v.Result = &whatIfResult{Failed: w.Failed, Down: w.Down, Degraded: w.Degraded, Overloaded: w.Overloaded, ServicesDown: w.ServicesDown()}
		v.Marks = whatIfMarks(w)
	}
	return v
}

// whatIfMarks writes CSS rules that mark the failed, the down and the
// overloaded components. Element ids from picture are limited to
// [A-Za-z0-9._~:/@!-] (see picture.ComponentID), none of which can end a
// quoted CSS string, so they are safe in [id="…"] selectors.
func whatIfMarks(w *audit.WhatIf) template.CSS {
	var b strings.Builder
	rule := func(class string, ids []string) {
		if len(ids) == 0 {
			return
		}
		var sel []string
		for _, id := range ids {
			sel = append(sel, `[id="`+picture.ComponentID(id)+`"]`, `[id="`+picture.NetworkID(id)+`"]`)
		}
		b.WriteString(strings.Join(sel, ",") + "{" + class + "}\n")
	}
	var down, over []string
	for _, x := range w.Down {
		down = append(down, x.ID)
	}
	for _, x := range w.Overloaded {
		over = append(over, x.ID)
	}
	rule(wiFailedStyle, w.Failed)
	rule(wiDownStyle, down)
	rule(wiOverStyle, over)
	return template.CSS(b.String())
}

// The styles of the what-if marks, also set by the script as classes
// (page.css: .wi-failed, .wi-down, .wi-over).
const (
	wiFailedStyle = "outline:3px solid #7c3aed;outline-offset:2px"
	wiDownStyle   = "opacity:.55;filter:grayscale(1)"
	wiOverStyle   = "outline:3px dashed #dc2626;outline-offset:2px"
)
