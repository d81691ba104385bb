package report

import (
	"fmt"
	"html/template"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report/picture"
)

// maxRisksOnPage bounds the findings the page lists by risk; the JSON
// document has every finding's figure.
const maxRisksOnPage = 20

// reliabilityView is the page's expected downtime section: the services
// by expected downtime, and the findings by the downtime each accounts
// for.
type reliabilityView struct {
	Method   string
	Services []serviceDowntimeView
	More     int // services beyond the ones shown
	Risks    []riskFindingView
	RiskMore int // findings with a figure beyond the ones shown
}

type serviceDowntimeView struct {
	ID, Downtime, Unavailability, ErrorBound string
	Most                                     []importanceView
}

type importanceView struct {
	ID, Share, Class string
	Href             template.URL
}

type riskFindingView struct {
	Href                                      template.URL
	ID, Class, Rule, Subject, Downtime, Share string
}

// reliabilityOf builds the section from the report's reliability object
// and the findings' figures; nil when the report has none.
func reliabilityOf(r *audit.Report, pic *picture.Picture) *reliabilityView {
	rel := r.Reliability
	if rel == nil || len(rel.Services) == 0 {
		return nil
	}
	v := &reliabilityView{Method: rel.Method}
	byID := map[string]float64{}
	for i, s := range rel.Services {
		byID[s.ID] = s.DowntimeMinutesPerYear
		if i >= maxServicesShown {
			v.More++
			continue
		}
		sv := serviceDowntimeView{ID: s.ID, Downtime: Downtime(s.DowntimeMinutesPerYear),
			Unavailability: fmt.Sprintf("%.3g", s.Unavailability), ErrorBound: fmt.Sprintf("%.2g", s.ErrorBound)}
		for k, im := range s.Importance {
			if k == 3 || im.FussellVesely < 0.005 {
				break
			}
			iv := importanceView{ID: im.Component, Share: fmt.Sprintf("%.0f%%", 100*im.FussellVesely), Class: pic.MarkOf(im.Component).Class()}
			if a := pic.Anchor(im.Component); a != "" {
				iv.Href = picture.Href(a)
			}
			sv.Most = append(sv.Most, iv)
		}
		v.Services = append(v.Services, sv)
	}
	var risky []audit.Finding
	for _, f := range r.Findings {
		if f.DowntimeMinutesPerYear != nil && *f.DowntimeMinutesPerYear > 0 {
			risky = append(risky, f)
		}
	}
	audit.SortByRisk(risky)
	for i, f := range risky {
		if i == maxRisksOnPage {
			v.RiskMore = len(risky) - i
			break
		}
		rv := riskFindingView{Href: picture.Href(picture.FindingID(f.ID)), ID: f.ID, Class: sevClass[f.Severity],
			Rule: f.Rule, Subject: f.Subject, Downtime: Downtime(*f.DowntimeMinutesPerYear)}
		if total := byID[f.Subject]; total > 0 {
			rv.Share = sharePct(*f.DowntimeMinutesPerYear/total) + " of " + f.Subject + "’s"
		}
		v.Risks = append(v.Risks, rv)
	}
	return v
}

// sharePct writes a share as a whole percentage, "<1%" for a share that
// rounds to none.
func sharePct(x float64) string {
	if x < 0.005 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", 100*min(1, x))
}
