package audit

import (
	"slices"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestLiveFindingText pins each live rule's decision and wording: the
// facts in, the finding out (or none, when a limit is not reached).
func TestLiveFindingText(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	read := now.Add(-10 * time.Minute)
	fresh := func(f model.Fact) model.Fact { f.ObservedAt = read; return f }
	cases := []struct {
		name   string
		facts  []model.Fact
		policy inventory.Policy
		opts   LiveOptions
		want   []Finding // ID, Rule, Severity, Subject, Causes, Message, Evidence, Remediation, ObservedAt
	}{
		{name: "failed PSU", facts: []model.Fact{fresh(model.Fact{Kind: model.FactFailed, Device: "db-1", Part: "db-1/PSU2", Detail: "failed (UnavailableOffline, Critical)"})},
			want: []Finding{{ID: "component-failed/db-1/PSU2", Rule: "component-failed", Severity: Warning, Subject: "db-1/PSU2", Causes: []string{"db-1/PSU2"},
				Message: "db-1/PSU2: failed (UnavailableOffline, Critical)", Remediation: "replace or repair it; until then its redundancy is spent (see redundancy-lost findings)", ObservedAt: &read}}},
		{name: "predicted failure", facts: []model.Fact{fresh(model.Fact{Kind: model.FactFailed, Device: "db-1", Part: "db-1/data/1", Degraded: true, Detail: "drive d1 predicts its failure"})},
			want: []Finding{{ID: "component-failed/db-1/data/1", Rule: "component-failed", Severity: Warning, Subject: "db-1/data/1", Causes: []string{"db-1/data/1"},
				Message: "db-1/data/1 drive d1 predicts its failure (still working)", Remediation: "replace it at the next opportunity, before it fails", ObservedAt: &read}}},
		{name: "degraded volume", facts: []model.Fact{fresh(model.Fact{Kind: model.FactRAID, Device: "db-1", Part: "db-1/data", Declared: "raid10", Detail: "Enabled, Warning"})},
			want: []Finding{{ID: "raid-degraded/db-1/data", Rule: "raid-degraded", Severity: Critical, Subject: "db-1/data", Causes: []string{"db-1/data"},
				Message: "volume db-1/data (raid10) is degraded: Enabled, Warning", Remediation: RAIDDegraded.Rule().Fix, ObservedAt: &read}}},
		{name: "failed volume", facts: []model.Fact{fresh(model.Fact{Kind: model.FactRAID, Device: "db-1", Part: "db-1/os", Failed: true, Declared: "raid1", Detail: "Disabled, Critical"})},
			want: []Finding{{ID: "raid-failed/db-1/os", Rule: "raid-failed", Severity: Critical, Subject: "db-1/os", Causes: []string{"db-1/os"},
				Message: "volume db-1/os (raid1) is failed: Disabled, Critical", Remediation: RAIDFailed.Rule().Fix, ObservedAt: &read}}},
		{name: "PSU count drift", facts: []model.Fact{fresh(model.Fact{Kind: model.FactDrift, Device: "sw-1", Part: "sw-1", What: "psu-count", Declared: "2", Observed: "1"})},
			want: []Finding{{ID: "drift/sw-1/psu-count", Rule: "drift", Severity: Warning, Subject: "sw-1", Causes: []string{"sw-1"},
				Message: "sw-1 reports 1 PSUs; the inventory declares 2", Remediation: "update the inventory's psus, or install the missing PSU", ObservedAt: &read}}},
		{name: "two wrong neighbours on one cable: one finding", facts: []model.Fact{
			fresh(model.Fact{Kind: model.FactDrift, Device: "sw-1", Part: "a:1~b:1", What: "lldp", Declared: "b:1", Observed: "x:1 (lldp)"}),
			fresh(model.Fact{Kind: model.FactDrift, Device: "sw-1", Part: "a:1~b:1", What: "lldp", Declared: "b:1", Observed: "y:2 (lldp)"})},
			want: []Finding{{ID: "drift/a:1~b:1/lldp", Rule: "drift", Severity: Warning, Subject: "a:1~b:1", Causes: []string{"a:1~b:1"},
				Message:     "cable a:1~b:1: the inventory says it goes to b:1, but the neighbour seen is x:1 (lldp)",
				Evidence:    []string{"cable a:1~b:1: the inventory says it goes to b:1, but the neighbour seen is y:2 (lldp)"},
				Remediation: "trace the cable; fix the inventory's links or move the cable back", ObservedAt: &read}}},
		{name: "inlet above the default limit", facts: []model.Fact{fresh(model.Fact{Kind: model.FactInlet, Device: "db-1", Part: "db-1", Celsius: 31.25})},
			want: []Finding{{ID: "thermal/db-1", Rule: "thermal", Severity: Warning, Subject: "db-1", Causes: []string{"db-1"},
				Message: "db-1 reports an inlet temperature of 31.2 °C, above the 27 °C limit", Remediation: Thermal.Rule().Fix, ObservedAt: &read}}},
		{name: "inlet under a raised limit: no finding", policy: inventory.Policy{InletMaxC: 32},
			facts: []model.Fact{fresh(model.Fact{Kind: model.FactInlet, Device: "db-1", Part: "db-1", Celsius: 31.25})}},
		{name: "inlet above a policy limit quotes that limit", policy: inventory.Policy{InletMaxC: 24.5},
			facts: []model.Fact{fresh(model.Fact{Kind: model.FactInlet, Device: "db-1", Part: "db-1", Celsius: 25})},
			want: []Finding{{ID: "thermal/db-1", Rule: "thermal", Severity: Warning, Subject: "db-1", Causes: []string{"db-1"},
				Message: "db-1 reports an inlet temperature of 25.0 °C, above the 24.5 °C limit", Remediation: Thermal.Rule().Fix, ObservedAt: &read}}},
		{name: "never collected", facts: []model.Fact{{Kind: model.FactCollection, Device: "db-1", Part: "db-1", AttemptedAt: now, Error: "redfish: connection refused"}},
			want: []Finding{{ID: "stale/db-1", Rule: "stale", Severity: Warning, Subject: "db-1", Causes: []string{"db-1"},
				Message: "db-1 has never been collected successfully; its redundancy is unverified (last error: redfish: connection refused)", Remediation: Stale.Rule().Fix}}},
		{name: "fresh data, last poll fine: not stale", opts: LiveOptions{StaleAfter: time.Hour},
			facts: []model.Fact{{Kind: model.FactCollection, Device: "db-1", Part: "db-1", ObservedAt: read, AttemptedAt: read}}},
		{name: "one failed poll within the stale limit: not stale", opts: LiveOptions{StaleAfter: time.Hour},
			facts: []model.Fact{{Kind: model.FactCollection, Device: "db-1", Part: "db-1", ObservedAt: read, AttemptedAt: now, Error: "redfish: timeout"}}},
		{name: "failed poll, no stale limit: stale with its last known state", facts: []model.Fact{
			{Kind: model.FactCollection, Device: "db-1", Part: "db-1", ObservedAt: read, AttemptedAt: now, Error: "redfish: timeout", Detail: "2 PSUs, 4 drives"},
			fresh(model.Fact{Kind: model.FactFailed, Device: "db-1", Part: "db-1/PSU2", Detail: "failed (Absent)", Reporter: "db-1", AttemptedAt: now})},
			want: []Finding{
				{ID: "stale/db-1", Rule: "stale", Severity: Warning, Subject: "db-1", Causes: []string{"db-1"},
					Message:     "db-1 has not been collected successfully since 2026-11-21T11:50:00Z (10m0s ago): its last known state (2 PSUs, 4 drives) still stands for every rule, unverified since then (last error: redfish: timeout)",
					Remediation: Stale.Rule().Fix, ObservedAt: &read},
				{ID: "component-failed/db-1/PSU2", Rule: "component-failed", Severity: Warning, Subject: "db-1/PSU2", Causes: []string{"db-1/PSU2"},
					Message:     "db-1/PSU2: failed (Absent)",
					Evidence:    []string{"last known state: read from db-1 at 2026-11-21T11:50:00Z (10m0s ago), not read again since (last attempt 2026-11-21T12:00:00Z)"},
					Remediation: "replace or repair it; until then its redundancy is spent (see redundancy-lost findings)", ObservedAt: &read}}},
		{name: "data older than the stale limit", opts: LiveOptions{StaleAfter: 5 * time.Minute},
			facts: []model.Fact{{Kind: model.FactCollection, Device: "sw-1", Part: "sw-1", ObservedAt: read, AttemptedAt: read, Detail: "1 PSU"}},
			want: []Finding{{ID: "stale/sw-1", Rule: "stale", Severity: Warning, Subject: "sw-1", Causes: []string{"sw-1"},
				Message:     "sw-1 has not been collected successfully since 2026-11-21T11:50:00Z (10m0s ago): its last known state (1 PSU) still stands for every rule, unverified since then",
				Remediation: Stale.Rule().Fix, ObservedAt: &read}}},
		{name: "restarts at the limit", opts: LiveOptions{Restarts: map[string]int{"sw-1": 2}, Window: 24 * time.Hour},
			facts: []model.Fact{{Kind: model.FactCollection, Device: "sw-1", Part: "sw-1", ObservedAt: read, AttemptedAt: read}},
			want: []Finding{{ID: "flapping/sw-1", Rule: "flapping", Severity: Warning, Subject: "sw-1", Causes: []string{"sw-1"},
				Message: "sw-1 restarted 2 times in the last 24h0m0s", Remediation: Flapping.Rule().Fix, ObservedAt: &read}}},
		{name: "restarts under a raised limit: no finding", opts: LiveOptions{Restarts: map[string]int{"sw-1": 2}, RestartLimit: 3, Window: time.Hour},
			facts: []model.Fact{{Kind: model.FactCollection, Device: "sw-1", Part: "sw-1", ObservedAt: read, AttemptedAt: read}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Now = now
			got := LiveFindings(tc.facts, tc.policy, tc.opts)
			if d := cmpFindings(tc.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestInvalidInventoryFinding: the finding lists at most 20 errors.
func TestInvalidInventoryFinding(t *testing.T) {
	var diags []string
	for i := 0; i < 23; i++ {
		diags = append(diags, "inv.yaml:1:1: bad")
	}
	f := InvalidInventory("inv.yaml", "inv.yaml: 23 problem(s); still serving the inventory loaded at 2026-11-21T12:00:00Z", diags)
	if f.ID != "inventory-invalid/inv.yaml" || f.Rule != "inventory-invalid" || f.Severity != Warning || f.Subject != "inv.yaml" {
		t.Errorf("finding %+v", f)
	}
	if len(f.Evidence) != 21 || f.Evidence[20] != "… 3 more" {
		t.Errorf("evidence %q", f.Evidence)
	}
	if f.Remediation != "fix the errors listed (faultline validate -i inv.yaml); the file is reloaded when it changes" {
		t.Errorf("remediation %q", f.Remediation)
	}
	if len(diags) != 23 {
		t.Error("the caller's diagnostics were changed")
	}
}

func cmpFindings(want, got []Finding) string {
	if len(want) != len(got) {
		return "got " + itoa(len(got)) + " findings, want " + itoa(len(want)) + ": " + describe(got)
	}
	for i := range want {
		w, g := want[i], got[i]
		switch {
		case w.ID != g.ID, w.Rule != g.Rule, w.Severity != g.Severity, w.Subject != g.Subject, !slices.Equal(w.Causes, g.Causes):
			return "finding " + g.ID + " (" + g.Rule + ", " + string(g.Severity) + ", " + g.Subject + "), want " + w.ID
		case w.Message != g.Message:
			return "message\n got " + g.Message + "\nwant " + w.Message
		case !slices.Equal(w.Evidence, g.Evidence):
			return "evidence\n got " + describe([]Finding{g}) + "\nwant " + describe([]Finding{w})
		case w.Remediation != g.Remediation:
			return "remediation\n got " + g.Remediation + "\nwant " + w.Remediation
		case (w.ObservedAt == nil) != (g.ObservedAt == nil), w.ObservedAt != nil && !w.ObservedAt.Equal(*g.ObservedAt):
			return "observed_at of " + g.ID + " differs"
		}
	}
	return ""
}

func describe(fs []Finding) string {
	var s string
	for _, f := range fs {
		s += "\n  " + f.ID + ": " + f.Message
		for _, e := range f.Evidence {
			s += "\n    " + e
		}
	}
	return s
}

// ruleNamed is the RuleID of a rule id, for tests that name rules by
// their string; it panics on an unknown one (a test bug).
func ruleNamed(id string) RuleID {
	for i := range Rules {
		if Rules[i].ID == id {
			return RuleID(i)
		}
	}
	panic("no rule " + id)
}
