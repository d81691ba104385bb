package report

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report/picture"
)

// page is what the page template shows: every string is plain text, for
// the template to escape, except the SVG, CSS and script we generate.
type page struct {
	Title, Inventory, Generated, Note string
	Summary                           audit.Summary
	Lead, Audited                     string
	Top                               []picture.Cause
	Notes                             []string
	PowerCaption                      string
	Power, Network                    template.HTML
	Groups                            []sevGroup
	CSS                               template.CSS
	Script                            template.JS
	// WhatIf is the what-if workbench, nil on a page with no server.
	WhatIf *whatIfView
	// Reliability is the expected downtime section, nil without figures.
	Reliability *reliabilityView
}

// sevGroup is the findings of one severity, by rule.
type sevGroup struct {
	Severity, Label, Class string
	Count                  int
	Rules                  []ruleGroup
}

type ruleGroup struct {
	Rule, Title string
	Findings    []findingView
}

type findingView struct {
	ID, Anchor, Class, Severity, Rule, Subject, Message, Remediation string
	// Since is "2026-11-18 09:12 UTC (3 days)" when first_seen is known.
	Since string
	// Accounts is the expected downtime the finding accounts for
	// ("2.10 h/yr"), when the figures were computed.
	Accounts string
	// Chips link the causes (or, for a finding without causes, the
	// subject) to their places in the picture; ChipLabel names them.
	ChipLabel string
	Chips     []chip
	Evidence  []string
	// Highlight lists the element ids the finding lights up; Locate links
	// to the first of them.
	Highlight string
	Locate    template.URL
	// NetBox links the subject and causes imported from NetBox to their
	// pages there.
	NetBox []netboxLink
}

type netboxLink struct{ ID, Href string }

type chip struct {
	ID, Class string
	Href      template.URL
}

var sevClass = map[audit.Severity]string{audit.Critical: "crit", audit.Warning: "warn", audit.Info: "info"}

func newPage(g *model.Graph, r *audit.Report, pic *picture.Picture, opts HTMLOptions) (*page, error) {
	at := opts.GeneratedAt
	if at.IsZero() {
		at = r.GeneratedAt
	}
	v := &page{
		Title: opts.Title, Inventory: opts.Inventory, Generated: stamp(at), Note: opts.Note,
		Summary: r.Summary, Lead: lead(r.Summary), Audited: audited(g), Notes: pic.Notes(), Top: pic.TopCauses(6),
		PowerCaption: "Power: sources → transfer switches → UPSes → feeds → each rack’s PDUs, as rails down its sides → devices",
		CSS:          template.CSS(pageCSS), Script: template.JS(pageJS),
	}
	if opts.WhatIfAction != "" {
		v.WhatIf = newWhatIfView(g, opts)
		v.Script += template.JS(whatifJS)
	}
	v.Reliability = reliabilityOf(r, pic)
	if len(g.Power) == 0 {
		v.PowerCaption = "Sites and racks (the inventory declares no power chain)"
	}
	if v.Title == "" {
		v.Title = "Redundancy report"
	}
	var err error
	if v.Power, err = pic.Power(); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	if v.Network, err = pic.Network(); err != nil {
		return nil, fmt.Errorf("report: html: %w", err)
	}
	for _, sev := range severities {
		grp := sevGroup{Severity: string(sev), Label: strings.ToUpper(string(sev[:1])) + string(sev[1:]), Class: sevClass[sev]}
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			grp.Count++
			if n := len(grp.Rules); n == 0 || grp.Rules[n-1].Rule != f.Rule {
				title := f.Rule
				if rule := audit.RuleByID(f.Rule); rule != nil {
					title = rule.Title
				}
				grp.Rules = append(grp.Rules, ruleGroup{Rule: f.Rule, Title: title})
			}
			rg := &grp.Rules[len(grp.Rules)-1]
			fv := findingOf(f, pic, at)
			for _, l := range f.NetBox { // set by the audit: entries, PSUs, links and cables
				fv.NetBox = append(fv.NetBox, netboxLink{ID: l.ID, Href: l.URL})
			}
			rg.Findings = append(rg.Findings, fv)
		}
		if grp.Count > 0 {
			v.Groups = append(v.Groups, grp)
		}
	}
	return v, nil
}

func findingOf(f audit.Finding, pic *picture.Picture, at time.Time) findingView {
	fv := findingView{
		ID: f.ID, Anchor: picture.FindingID(f.ID), Class: sevClass[f.Severity], Severity: string(f.Severity),
		Rule: f.Rule, Subject: f.Subject, Message: f.Message, Remediation: f.Remediation, Evidence: f.Evidence,
	}
	if fv.Class == "" {
		fv.Class = "info"
	}
	if f.DowntimeMinutesPerYear != nil {
		fv.Accounts = Downtime(*f.DowntimeMinutesPerYear)
	}
	if f.FirstSeen != nil {
		fv.Since = stamp(*f.FirstSeen)
		if age := at.Sub(*f.FirstSeen); age > 0 {
			fv.Since += " (" + ago(age) + ")"
		}
	}
	ids := f.Causes
	fv.ChipLabel = "Causes"
	if len(f.Causes) == 1 {
		fv.ChipLabel = "Cause"
	}
	if len(ids) == 0 {
		ids, fv.ChipLabel = []string{f.Subject}, "Subject"
	}
	for _, id := range ids {
		c := chip{ID: id, Class: pic.MarkOf(id).Class()}
		if a := pic.Anchor(id); a != "" {
			c.Href = picture.Href(a)
		}
		fv.Chips = append(fv.Chips, c)
	}
	targets := pic.Targets(f)
	fv.Highlight = strings.Join(targets, " ")
	if len(targets) > 0 {
		fv.Locate = picture.Href(targets[0])
	}
	return fv
}

// stamp writes a time for people: "2026-11-21 12:00 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// ago writes a duration roughly: "40 min", "5 h", "3 days".
func ago(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// lead is the page's first sentence.
func lead(s audit.Summary) string {
	switch {
	case s.Critical > 0 && s.Warning > 0:
		return fmt.Sprintf("%s to fix first, and %s.", countOf(s.Critical, "critical finding", "critical findings"), countOf(s.Warning, "warning", "warnings"))
	case s.Critical > 0:
		return countOf(s.Critical, "critical finding", "critical findings") + " to fix first."
	case s.Warning > 0:
		return fmt.Sprintf("No critical findings; %s.", countOf(s.Warning, "warning", "warnings"))
	case s.Info > 0:
		return "No critical findings and no warnings."
	}
	return "No findings: no single failure takes a service down, as far as the inventory tells."
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands writes a count for people: "55,004".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// audited says what the audit covered.
func audited(g *model.Graph) string {
	drives := 0
	for _, k := range g.Kinds {
		if k == model.KindDrive {
			drives++
		}
	}
	parts := []string{
		countOf(len(g.Sites), "site", "sites"),
		countOf(len(g.Racks), "rack", "racks"),
		countOf(len(g.Power), "power node", "power nodes"),
		fmt.Sprintf("%s (%s, %s)", countOf(len(g.Devices), "device", "devices"), countOf(len(g.PSUs), "PSU", "PSUs"), countOf(drives, "drive", "drives")),
		countOf(len(g.Links), "link", "links"),
		countOf(len(g.Services), "service", "services"),
	}
	return strings.Join(parts, " · ")
}
