package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// LiveFindings turns observed facts into the live rules' findings:
// component-failed, raid-degraded, raid-failed, drift, thermal, stale and
// flapping. (redundancy-lost and service-down now come from the analysis
// itself, because they need the fault graph.)
func LiveFindings(facts []model.Fact, policy inventory.Policy) []Finding {
	var out []Finding
	for _, f := range facts {
		switch f.Kind {
		case model.FactFailed:
			x := newFinding("component-failed", f.Part, []string{f.Part})
			x.ID = "component-failed/" + f.Part
			if f.Degraded {
				x.Message = fmt.Sprintf("%s %s (still working)", f.Part, f.Detail)
				x.Remediation = "replace it at the next opportunity, before it fails"
			} else {
				x.Message = fmt.Sprintf("%s: %s", f.Part, f.Detail)
				x.Remediation = "replace or repair it; until then its redundancy is spent (see redundancy-lost findings)"
			}
			out = append(out, x)
		case model.FactRAID:
			rule, state := "raid-degraded", "degraded"
			if f.Failed {
				rule, state = "raid-failed", "failed"
			}
			x := newFinding(rule, f.Part, []string{f.Part})
			x.ID = rule + "/" + f.Part
			x.Message = fmt.Sprintf("volume %s (%s) is %s: %s", f.Part, f.Declared, state, f.Detail)
			x.Remediation = RuleByID(rule).Fix
			out = append(out, x)
		case model.FactDrift:
			x := newFinding("drift", f.Part, []string{f.Part})
			x.ID = "drift/" + f.Part + "/" + f.What
			x.Message, x.Remediation = driftText(f)
			out = append(out, x)
		case model.FactThermal:
			x := newFinding("thermal", f.Device, []string{f.Device})
			x.ID = "thermal/" + f.Device
			x.Message = fmt.Sprintf("%s reports an inlet temperature of %.1f °C, above the %.0f °C limit", f.Device, f.Celsius, policy.InletLimit())
			x.Remediation = RuleByID("thermal").Fix
			out = append(out, x)
		case model.FactStale:
			x := newFinding("stale", f.Device, []string{f.Device})
			x.ID = "stale/" + f.Device
			switch {
			case f.Age > 0:
				x.Message = fmt.Sprintf("%s has not been collected successfully for %s; its redundancy is unverified", f.Device, f.Age.Round(time.Second))
			default:
				x.Message = fmt.Sprintf("%s has never been collected successfully; its redundancy is unverified", f.Device)
			}
			if f.Error != "" && f.Error != "never collected" {
				x.Message += " (last error: " + f.Error + ")"
			}
			x.Remediation = RuleByID("stale").Fix
			out = append(out, x)
		case model.FactRestarts:
			x := newFinding("flapping", f.Device, []string{f.Device})
			x.ID = "flapping/" + f.Device
			x.Message = fmt.Sprintf("%s restarted %d times in the last %s", f.Device, f.Count, f.Age.Round(time.Minute))
			x.Remediation = RuleByID("flapping").Fix
			out = append(out, x)
		}
	}
	return out
}

func driftText(f model.Fact) (msg, fix string) {
	switch f.What {
	case "psu-count":
		return fmt.Sprintf("%s reports %s PSUs; the inventory declares %s", f.Device, f.Observed, f.Declared),
			"update the inventory's psus, or install the missing PSU"
	case "psu":
		return fmt.Sprintf("%s reports PSU %s, which the inventory does not declare", f.Device, f.Observed),
			"declare it (with the PDU it is plugged into), or give the declared PSU a match name"
	case "outlet":
		return fmt.Sprintf("%s is declared on %s but reports %s", f.Part, f.Declared, f.Observed),
			"find out which is right, and fix the inventory or the cable"
	case "lldp":
		return fmt.Sprintf("cable %s: the inventory says it goes to %s, but the neighbour seen is %s", f.Part, f.Declared, f.Observed),
			"trace the cable; fix the inventory's links or move the cable back"
	case "port":
		return fmt.Sprintf("%s: %s", f.Declared, f.Detail), "correct the port name in the inventory's links"
	case "raid":
		return fmt.Sprintf("volume %s is %s, the inventory declares %s", f.Part, f.Observed, f.Declared),
			"update the inventory's storage, or rebuild the volume as declared"
	case "volume":
		return fmt.Sprintf("volume %s (%s) is declared but %s does not report it", f.Part, f.Declared, f.Device),
			"remove it from the inventory, or find out why the controller does not show it"
	case "model", "serial":
		return fmt.Sprintf("%s reports %s %q; the inventory says %q", f.Device, f.What, f.Observed, f.Declared),
			"correct the inventory, or check that the right device is at this address"
	}
	return fmt.Sprintf("%s: %s %s", f.Part, f.What, strings.TrimSpace(f.Detail)), RuleByID("drift").Fix
}

// LiveOptions tune a live audit.
type LiveOptions struct {
	Observe model.ObserveOptions
	Audit   Options
}

// Live audits an inventory with observations laid over it: the structural
// rules on the design, redundancy-lost and service-down on the state now,
// and the live rules from the observed facts.
func Live(inv *inventory.Inventory, obs []observation.Device, opts LiveOptions) (*Analysis, []Finding, *model.Observed, error) {
	observed := model.Observe(inv, obs, opts.Observe)
	g, err := model.Build(inv, &observed.Overlay)
	if err != nil {
		return nil, nil, nil, err
	}
	a := Analyze(g, opts.Audit)
	findings := append(a.Findings(), LiveFindings(observed.Facts, inv.Policy)...)
	return a, findings, observed, nil
}
