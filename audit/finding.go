package audit

import (
	"slices"
	"strings"
	"time"
)

// Finding is one problem, in the findings JSON contract (docs/rules.md).
type Finding struct {
	// ID is stable across runs for the same problem: rule/subject/cause.
	ID       string   `json:"id"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Subject and Causes are inventory ids (parts as device/part).
	Subject     string   `json:"subject"`
	Causes      []string `json:"causes"`
	Message     string   `json:"message"`
	Evidence    []string `json:"evidence,omitempty"`
	Remediation string   `json:"remediation"`
	// ObservedAt is when the observed state the finding rests on was read:
	// older than the last attempt when the device has stopped answering.
	ObservedAt *time.Time `json:"observed_at,omitempty"`
	FirstSeen  *time.Time `json:"first_seen,omitempty"`
	// NetBox links the subject and causes imported from NetBox to their
	// NetBox pages, subject first (absent for an inventory written by hand).
	NetBox []NetBoxLink `json:"netbox,omitempty"`
	// DowntimeMinutesPerYear is the expected downtime a year of the
	// finding's service that the finding accounts for (the cut sets it
	// stands for), when the reliability figures were computed; set on
	// spof, double-fault and service-down findings.
	DowntimeMinutesPerYear *float64 `json:"downtime_minutes_per_year,omitempty"`
	// Devices are the devices and power nodes the finding concerns (its
	// subject's and its causes', in that order), set by the audit for the
	// API's per-device views; not part of the findings document.
	Devices []string `json:"-"`
}

// NetBoxLink is the NetBox page of an id a finding names.
type NetBoxLink struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Summary counts findings by severity.
type Summary struct {
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// Report is the audit result: the findings JSON document.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Summary     Summary   `json:"summary"`
	Findings    []Finding `json:"findings"`
	// Reliability holds the reliability figures, when computed.
	Reliability *Reliability `json:"reliability,omitempty"`
}

// NewReport sorts findings (severity, rule order, subject, id) and counts them.
func NewReport(at time.Time, fs []Finding) *Report {
	SortFindings(fs)
	r := &Report{GeneratedAt: at.UTC(), Findings: fs}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for _, f := range fs {
		switch f.Severity {
		case Critical:
			r.Summary.Critical++
		case Warning:
			r.Summary.Warning++
		default:
			r.Summary.Info++
		}
	}
	return r
}

// SortFindings orders findings most severe first, then by rule, subject, id.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if d := a.Severity.rank() - b.Severity.rank(); d != 0 {
			return d
		}
		if d := ruleRank(a.Rule) - ruleRank(b.Rule); d != 0 {
			return d
		}
		if c := strings.Compare(a.Subject, b.Subject); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Worst returns the most severe severity among findings, or "".
func (r *Report) Worst() Severity {
	if len(r.Findings) == 0 {
		return ""
	}
	return r.Findings[0].Severity
}

// CountAtLeast counts findings at or above a severity.
func (r *Report) CountAtLeast(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity.AtLeast(s) {
			n++
		}
	}
	return n
}

// findingID is the one way a finding id is made: its parts joined by
// "/", the rule first (rule/subject[/qualifier…][/nearest-cause]).
func findingID(rule RuleID, parts ...string) string {
	return rule.String() + "/" + strings.Join(parts, "/")
}

// newFinding starts a finding of a rule about subject, with the id
// rule/subject/nearest-cause (rule/subject without causes).
func newFinding(rule RuleID, subject string, causes []string) Finding {
	id := findingID(rule, subject)
	if len(causes) > 0 {
		id = findingID(rule, subject, causes[0])
	}
	if causes == nil {
		causes = []string{}
	}
	return Finding{ID: id, Rule: rule.String(), Severity: rule.Rule().Severity, Subject: subject, Causes: causes}
}

// The two sides of a device's own redundancy.
const (
	sidePower   = "power"
	sideNetwork = "network"
)

// deviceID is the id of a finding about one side of a device's
// redundancy: rule/device/side/nearest-cause. The side keeps the power and
// the network finding of one device apart when they share a nearest cause
// (a PDU that feeds both PSUs and the only switch).
func deviceID(rule RuleID, device, side, cause string) string {
	return findingID(rule, device, side, cause)
}

// words joins names for a sentence: "a", "a and b", "a, b and c".
func words(xs []string, conj string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " " + conj + " " + xs[len(xs)-1]
}

// few names up to four items, else three and a count of the rest.
func few(xs []string, conj string) string {
	if len(xs) <= 4 {
		return words(xs, conj)
	}
	return strings.Join(xs[:3], ", ") + " " + conj + " " + plural(len(xs)-3, "other")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

// verb picks the singular or plural form for a list of subjects.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
