package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
)

// LiveFindings turns observed facts into the live rules' findings:
// component-failed, raid-degraded, raid-failed, drift, thermal, stale and
// flapping, applying the rules' limits (policy.inlet_max_c, the staleness
// limit, the restart limit). redundancy-lost and service-down come from
// the analysis, because they need the fault graph. Every finding carries
// observed_at, and one whose device has stopped answering says how old its
// evidence is.
func LiveFindings(facts []model.Fact, policy inventory.Policy, opts LiveOptions) []Finding {
	opts.defaults()
	var out []Finding
	add := func(x Finding, f model.Fact) {
		if !f.ObservedAt.IsZero() {
			at := f.ObservedAt.UTC()
			x.ObservedAt = &at
			if line, ok := lastKnown(f.Reporter, at, f.AttemptedAt, opts.Now); ok {
				x.Evidence = append(x.Evidence, line)
			}
		}
		out = append(out, x)
	}
	for _, f := range facts {
		switch f.Kind {
		case model.FactFailed:
			x := newFinding(ComponentFailed, f.Part, []string{f.Part})
			x.ID = findingID(ComponentFailed, f.Part)
			if f.Degraded {
				x.Message = fmt.Sprintf("%s %s (still working)", f.Part, f.Detail)
				x.Remediation = "replace it at the next opportunity, before it fails"
			} else {
				x.Message = fmt.Sprintf("%s: %s", f.Part, f.Detail)
				x.Remediation = "replace or repair it; until then its redundancy is spent (see redundancy-lost findings)"
			}
			add(x, f)
		case model.FactRAID:
			rule, state := RAIDDegraded, "degraded"
			if f.Failed {
				rule, state = RAIDFailed, "failed"
			}
			x := newFinding(rule, f.Part, []string{f.Part})
			x.ID = findingID(rule, f.Part)
			x.Message = fmt.Sprintf("volume %s (%s) is %s: %s", f.Part, f.Declared, state, f.Detail)
			x.Remediation = rule.Rule().Fix
			add(x, f)
		case model.FactDrift:
			x := newFinding(Drift, f.Part, []string{f.Part})
			x.ID = findingID(Drift, f.Part, f.What)
			x.Message, x.Remediation = driftText(f)
			add(x, f)
		case model.FactInlet:
			limit := policy.InletLimit()
			if f.Celsius <= limit {
				continue
			}
			x := newFinding(Thermal, f.Device, []string{f.Device})
			x.ID = findingID(Thermal, f.Device)
			x.Message = fmt.Sprintf("%s reports an inlet temperature of %.1f °C, above the %s °C limit", f.Device, f.Celsius, strconv.FormatFloat(limit, 'f', -1, 64))
			x.Remediation = Thermal.Rule().Fix
			add(x, f)
		case model.FactCollection:
			if opts.stale(f) {
				out = append(out, staleFinding(f, opts.Now))
			}
			if n := opts.Restarts[f.Device]; n >= opts.RestartLimit && !f.ObservedAt.IsZero() {
				x := newFinding(Flapping, f.Device, []string{f.Device})
				x.ID = findingID(Flapping, f.Device)
				x.Message = fmt.Sprintf("%s restarted %d times in the last %s", f.Device, n, opts.Window.Round(time.Minute))
				x.Remediation = Flapping.Rule().Fix
				add(x, f)
			}
		}
	}
	return mergeSameID(out)
}

// stale decides whether a device's collection is too old to verify: never
// read; or its newest data older than StaleAfter; or, with no StaleAfter,
// its last poll failed.
func (o *LiveOptions) stale(f model.Fact) bool {
	switch {
	case f.ObservedAt.IsZero():
		return true
	case o.StaleAfter > 0:
		return o.Now.Sub(f.ObservedAt) > o.StaleAfter
	}
	return f.Error != ""
}

func staleFinding(f model.Fact, now time.Time) Finding {
	x := newFinding(Stale, f.Device, []string{f.Device})
	x.ID = findingID(Stale, f.Device)
	if f.ObservedAt.IsZero() {
		x.Message = fmt.Sprintf("%s has never been collected successfully; its redundancy is unverified", f.Device)
	} else {
		at := f.ObservedAt.UTC()
		x.ObservedAt = &at
		what := f.Detail
		if what == "" {
			what = "no parts"
		}
		x.Message = fmt.Sprintf("%s has not been collected successfully since %s%s: its last known state (%s) still stands for every rule, unverified since then",
			f.Device, at.Format(time.RFC3339), ago(at, now), what)
	}
	if f.Error != "" {
		x.Message += " (last error: " + f.Error + ")"
	}
	x.Remediation = Stale.Rule().Fix
	return x
}

// ago is " (5m0s ago)" relative to now, or "" without a clock.
func ago(at, now time.Time) string {
	if now.IsZero() || now.Before(at) {
		return ""
	}
	return " (" + now.Sub(at).Round(time.Second).String() + " ago)"
}

// lastKnown is the evidence line of a finding resting on last known
// state: data read at `at` that the reporter's later attempts (the last at
// `attempt`) have not read again — it stopped answering, or answered
// without that section. ok is false for data as fresh as the last attempt.
func lastKnown(reporter string, at, attempt, now time.Time) (line string, ok bool) {
	if attempt.IsZero() || !at.Before(attempt) {
		return "", false
	}
	return fmt.Sprintf("last known state: read from %s at %s%s, not read again since (last attempt %s)",
		reporter, at.UTC().Format(time.RFC3339), ago(at, now), attempt.UTC().Format(time.RFC3339)), true
}

// mergeSameID keeps one finding per id: a second fact about the same
// problem (two mismatched LLDP neighbours on one cable, a UPS that reports
// both a failure and no output) joins the first one's evidence.
func mergeSameID(fs []Finding) []Finding {
	at := make(map[string]int, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if i, ok := at[f.ID]; ok {
			if f.Message != out[i].Message && !slices.Contains(out[i].Evidence, f.Message) {
				out[i].Evidence = append(out[i].Evidence, f.Message)
			}
			continue
		}
		at[f.ID] = len(out)
		out = append(out, f)
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
	return fmt.Sprintf("%s: %s %s", f.Part, f.What, strings.TrimSpace(f.Detail)), Drift.Rule().Fix
}

// LiveOptions tune a live audit.
type LiveOptions struct {
	// Now is the time of the audit (ages and staleness are measured to it).
	Now time.Time
	// StaleAfter is how old a device's newest data may be before its state
	// is unverified (stale); 0: stale only when its last poll failed.
	StaleAfter time.Duration
	// Restarts counts uptime resets per device in the history window
	// (history.CountRestarts); Window is that window, for messages.
	Restarts map[string]int
	Window   time.Duration
	// RestartLimit is how many restarts in the window make a device flap
	// (default 2).
	RestartLimit int
	Audit        Options
}

func (o *LiveOptions) defaults() {
	if o.RestartLimit <= 0 {
		o.RestartLimit = 2
	}
}

// Live audits an inventory with observations laid over it: the structural
// rules on the design, redundancy-lost and service-down on the state now
// (the last known state of devices that stopped answering included), and
// the live rules from the observed facts.
func Live(inv *inventory.Inventory, obs []observation.Device, opts LiveOptions) (*Analysis, []Finding, *model.Observed, error) {
	observed := model.Observe(inv, obs)
	g, err := model.Build(inv, &observed.Overlay)
	if err != nil {
		return nil, nil, nil, err
	}
	if opts.Audit.Now.IsZero() {
		opts.Audit.Now = opts.Now
	}
	a := Analyze(g, opts.Audit)
	live := LiveFindings(observed.Facts, inv.Policy, opts)
	concern(inv, live)
	findings := append(a.Findings(), live...)
	return a, findings, observed, nil
}

// InvalidInventory is the inventory-invalid finding: a changed inventory
// file that does not validate, while the last valid one keeps being
// audited. message says what and since when; diagnostics are the file's
// errors (at most 20 are listed).
func InvalidInventory(file, message string, diagnostics []string) Finding {
	f := newFinding(InventoryInvalid, file, nil)
	f.Message = message
	f.Evidence = slices.Clone(diagnostics)
	if len(f.Evidence) > 20 {
		f.Evidence = append(f.Evidence[:20], fmt.Sprintf("… %d more", len(diagnostics)-20))
	}
	f.Remediation = "fix the errors listed (faultline validate -i " + file + "); the file is reloaded when it changes"
	return f
}
