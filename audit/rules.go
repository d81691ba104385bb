package audit

// Severity of a finding.
type Severity string

// The severities, most severe first.
const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case Critical:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// AtLeast reports whether s is as severe as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.rank() <= t.rank() }

// Rule describes one kind of finding. The registry below is the single
// source of the rules catalogue (docs/rules.md is generated from it and a
// test keeps the two equal).
type Rule struct {
	ID       string
	Severity Severity
	// Live rules need observations from the collectors.
	Live bool
	// Title is one line; Means, Why and Fix are the catalogue's paragraphs.
	Title, Means, Why, Fix string
}

// RuleID names a rule in code. It is not a string, so a mistyped rule is a
// compile error, never a finding with an unknown rule.
type RuleID uint8

// The rules, in the order findings of equal severity are listed.
const (
	ServiceDown RuleID = iota
	SPOF
	DoubleFault
	RedundancyLost
	RAIDDegraded
	RAIDFailed
	FailoverOverload
	Overload
	DeviceSPOF
	RAIDNonredundant
	ComponentFailed
	ManualFailover
	CrossSite
	Thermal
	Flapping
	Drift
	InventoryInvalid
	Stale
	PowerUnknown

	numRules
)

// String is the rule's id as findings carry it ("device-spof").
func (r RuleID) String() string { return Rules[r].ID }

// Rule returns the rule's registry entry.
func (r RuleID) Rule() *Rule { return &Rules[r] }

// Rules is every rule, indexed by RuleID (so in the order findings of equal
// severity are listed).
var Rules = [numRules]Rule{
	ServiceDown: {
		ID: "service-down", Severity: Critical,
		Title: "A service is down",
		Means: "The service cannot run: fewer than `min_up` of its members are available, or a service it requires is down. " +
			"With nothing failed this is almost always an incomplete inventory — a member cabled to nothing, a rack PDU with no input — and every other finding about the service is meaningless until it is fixed. " +
			"With observations, it is an outage the hardware reports now.",
		Why: "An auditor that silently skips a service it cannot evaluate would report it as safe.",
		Fix: "Read the evidence: it names each member and why it is unavailable (not powered, no path to the network roots). Complete the inventory (links, PSUs, `network.roots`), or lower `min_up` if it is wrong.",
	},
	SPOF: {
		ID: "spof", Severity: Critical,
		Title: "Single point of failure",
		Means: "One component — a device, PSU, drive, cable, switch, PDU, feed, UPS, rack, or (for `dr: true` services) a site — whose failure alone takes the service down, on the design as declared. " +
			"Components that would each cause the same outage the same way are reported together, nearest the service first: `pdu-r01-a`, then the `feed-a` behind it, then `ups-a`. " +
			"A cable that carries several links (a breakout, named in the links' `cable`) is one component: two uplinks in one breakout are one cause, named by the cable. " +
			"A PSU on an outlet bound to one input of a bank-split PDU (`input`) hangs on that input alone, so the PDU's other input does not save it.",
		Why: "A company ran its only database on one server; the server died and a weekend of customer data was lost. Redundant web servers all mounted one NFS server: one box took the site down.",
		Fix: "Follow the remediation: add a member elsewhere, move a PSU to a PDU on the other feed, cable the second NIC to the second switch, move a member out of the shared rack. Then run `faultline whatif --fail` on the cause to confirm.",
	},
	DoubleFault: {
		ID: "double-fault", Severity: Critical,
		Title: "Two failures take down a service that must survive two",
		Means: "For a service with `tolerate: 2`, a pair of components that together take it down while neither does alone. Reported nearest first, at most `policy.max_pairs` per service (the rest are counted).",
		Why:   "N+1 is not N+2: maintenance takes one member out, and a second failure during the window is the outage.",
		Fix:   "Spread the members so that no two components cover all of them: a third member in another rack, on another feed, behind other switches.",
	},
	RedundancyLost: {
		ID: "redundancy-lost", Severity: Critical, Live: true,
		Title: "Redundancy already spent",
		Means: "A component is a single point of failure now, because of failures observed on the hardware, while it is not one by design. " +
			"For a service, the finding names the failed component that spent the redundancy and the new single point of failure. " +
			"For a device with redundant PSUs (more than `min_psus`) or links (two or more towards the network), in a service or not, the subject is the device and the causes are the components outside it that now cut its power or its network alone, nearest first: `dl325 now hangs on pdu-a: its PSU2 on pdu-b failed`. " +
			"An inlet of a multi-input PDU that reads no voltage counts as such a failure: `pdu-x/inlet/feed-a` lost makes `feed-b` the single point of failure of what hangs on `pdu-x` (see [observations](observations.md)). " +
			"A device that has stopped answering keeps its last known state: the finding stays open, with `observed_at` saying when that state was read. It clears when the part is repaired and the device says so.",
		Why: "A PSU that died last night leaves the server running on its other PSU; nobody notices until the other PDU trips.",
		Fix: "Replace or repair the failed component (see the matching component-failed finding). Until then, treat the named single point of failure as untouchable: no maintenance on it.",
	},
	RAIDDegraded: {
		ID: "raid-degraded", Severity: Critical, Live: true,
		Title: "A RAID volume is degraded",
		Means: "The volume is running without its redundancy (a member drive failed or is rebuilding): one more drive failure loses it.",
		Why:   "A degraded array under rebuild load is when the second drive fails.",
		Fix:   "Replace the failed drive and watch the rebuild; check backups of the volume now.",
	},
	RAIDFailed: {
		ID: "raid-failed", Severity: Critical, Live: true,
		Title: "A RAID volume has failed",
		Means: "The volume is offline or reports a failed state.",
		Why:   "The device is effectively down even if its BMC answers.",
		Fix:   "Restore the volume from backup after replacing the failed drives; find out why the earlier degradation was missed.",
	},
	FailoverOverload: {
		ID: "failover-overload", Severity: Critical,
		Title: "Failover would overload a power node",
		Means: "If the listed power component fails, its load moves onto the subject — the other PDU of an A+B pair, the other UPS — which would then carry more than `policy.max_load_pct` (80%) of its `capacity_w`, and more than it carries now. A node that measures its own load (a PDU's total, see observations.md) starts from that measurement; the load that moves is the devices' draws, observed where collected, else `draw_w`; the message says whether the base is measured or declared. " +
			"Where a PDU reports its branch circuits, each branch is judged against its rated current the same way: a breaker trips before the PDU's own capacity is reached.",
		Why: "A+B power is only redundant if either side can carry both: otherwise the surviving breaker trips seconds after the first failure.",
		Fix: "Reduce the load on the pair (move devices to another rack), raise the capacity (bigger PDUs or circuits), or cap servers' power. Keep each side below half of what the other can carry.",
	},
	Overload: {
		ID: "overload", Severity: Critical,
		Title: "A power node is over its limit",
		Means: "A power node carries more than `policy.max_load_pct` of its `capacity_w` with nothing (more) failed — its own measured load where it reports one (\"measured\"), else what it feeds (\"declared\") — or a PDU's branch circuit carries more than that share of its rated current.",
		Why:   "Breakers trip on inrush and on the next added server.",
		Fix:   "Move load off it, or raise its capacity.",
	},
	DeviceSPOF: {
		ID: "device-spof", Severity: Warning,
		Title: "A device's own redundancy is defeated",
		Means: "A device with redundant hardware — more PSUs than `min_psus`, or two or more links — that one component outside itself, its rack and its site leaves unpowered or cut off from the network roots: both PSUs on one PDU (or one feed), both uplinks on one switch, both uplinks in one breakout cable, both PSUs on outlets of a bank-split PDU bound to the same input. " +
			"Only links towards a switch, router, firewall or root count. Power sources (utility, generator) are site-wide risks that the services' findings report, not a flaw of one device.",
		Why: "Two \"redundant\" core switches both failed after one power event: they shared a power feed.",
		Fix: "Move one PSU to a PDU on the other feed, or one cable to a second switch — the remediation names which.",
	},
	RAIDNonredundant: {
		ID: "raid-nonredundant", Severity: Warning,
		Title: "A volume has no redundancy",
		Means: "A raid0 or single-drive volume: any one drive failure loses it.",
		Why:   "A mail server on striped disks lost its spool with one drive.",
		Fix:   "Rebuild it as raid1, raid10 or raid6, or accept the risk for scratch data and say so in the inventory with a comment.",
	},
	ComponentFailed: {
		ID: "component-failed", Severity: Warning, Live: true,
		Title: "A component is observed failed",
		Means: "A PSU, drive, fan, link or device that the hardware reports as failed (absent bays are not failures); a PDU's lost inlet or tripped branch breaker; a PSU whose outlet is off or on a tripped branch.",
		Why:   "Every other live finding follows from these.",
		Fix:   "Replace or repair it.",
	},
	ManualFailover: {
		ID: "manual-failover", Severity: Warning,
		Title: "Redundancy that needs a person",
		Means: "A service with more members than it needs whose `failover` is `manual`: when a member fails, someone must act.",
		Why:   "A database stack with a master, a local replica and an off-site replica, RAID10 everywhere — sound, but failover was manual, and the outage lasted until someone woke up.",
		Fix:   "Automate failover, or write and drill the runbook and make sure the alert reaches a person.",
	},
	CrossSite: {
		ID: "cross-site", Severity: Warning,
		Title: "A service depends on another site",
		Means: "A service has members at a site where a service it requires has none: every request from there crosses sites.",
		Why:   "An application tier was moved to another provider while its database stayed behind: every write crossed the provider boundary.",
		Fix:   "Run a member of the required service at that site, or move the dependent service next to it.",
	},
	Thermal: {
		ID: "thermal", Severity: Warning, Live: true,
		Title: "Inlet temperature above the limit",
		Means: "A device reports an inlet temperature above `policy.inlet_max_c` (27 °C by default).",
		Why:   "A single mail server rebooted in a loop because new equipment in its rack cooked it.",
		Fix:   "Check the rack's airflow: blanking panels, hot-aisle containment, what was installed recently.",
	},
	Flapping: {
		ID: "flapping", Severity: Warning, Live: true,
		Title: "A device keeps restarting",
		Means: "A device's uptime reset more than once within the history window.",
		Why:   "Reboot loops hide behind healthy-looking polls between restarts.",
		Fix:   "Read the device's logs (BMC SEL, switch syslog): power, temperature, a crashing process.",
	},
	Drift: {
		ID: "drift", Severity: Warning, Live: true,
		Title: "The hardware disagrees with the inventory",
		Means: "What a device reports differs from what the inventory declares: PSU count, which PDU outlet a PSU is on (its `Links.Outlet`, or an outlet drawing nothing under a PSU that draws), cabling seen over LLDP, RAID level, model or serial; " +
			"a metered outlet drawing power with no declared PSU on it; a power node measuring well above what the inventory accounts for (more than 25% and 200 W: undeclared load). Tolerances: observations.md, Power as measured.",
		Why: "The audit is only as true as the inventory; drift is where the inventory stopped being true.",
		Fix: "Find out which is right. Fix the inventory, or fix the cabling.",
	},
	InventoryInvalid: {
		ID: "inventory-invalid", Severity: Warning, Live: true,
		Title: "The inventory file changed and does not validate",
		Means: "`faultline serve` watches its inventory file. A change that does not validate is rejected, and the last valid inventory keeps being audited; this finding lists the file's errors.",
		Why:   "A typo in a hand-edited file must not silently blind the auditor, nor take it down.",
		Fix:   "Fix the errors (`faultline validate -i FILE` prints them); the file is reloaded as soon as it changes, or on SIGHUP or `POST /api/v1/inventory/reload`.",
	},
	Stale: {
		ID: "stale", Severity: Warning, Live: true,
		Title: "A device has not been collected recently",
		Means: "A managed device whose last successful collection is too old (older than `serve --stale-after`, three intervals by default), whose last poll failed (with no stale limit), or that was never collected. " +
			"What it last reported stays in force for every rule — a PSU it last reported failed is still failed, and its findings stay open with their `first_seen` — and this finding says what that state holds and since when it is unverified. A device never collected is audited as declared, unverified.",
		Why: "An unreachable BMC is not a healthy server.",
		Fix: "Read the collection error: credentials, network path, a hung BMC (reset it).",
	},
	PowerUnknown: {
		ID: "power-unknown", Severity: Warning,
		Title: "A device's power redundancy is unknown",
		Means: "The device has PSUs with no declared source (a PSU without `pdu`: in NetBox, a power port with no cable). " +
			"Such a PSU is never counted as a live source of power and never as a cause: the audit models the device's power from its other PSUs only, " +
			"so it neither calls the device redundant nor single-fed on the strength of a PSU whose source nobody knows. The finding names the PSUs without a source.",
		Why: "An uncabled power port in the source of truth is either a cable nobody recorded or a PSU nobody plugged in; either way, redundancy claimed on it is a guess.",
		Fix: "Find out where each named PSU is plugged in and declare it (`pdu`, `outlet`), or cable it in NetBox and import again.",
	},
}

// RuleByID returns the rule with the id, or nil.
func RuleByID(id string) *Rule {
	for i := range Rules {
		if Rules[i].ID == id {
			return &Rules[i]
		}
	}
	return nil
}

// rank orders rule ids as the registry does; unknown ids sort last.
var rank = func() map[string]int {
	m := make(map[string]int, len(Rules))
	for i, r := range Rules {
		m[r.ID] = i
	}
	return m
}()

func ruleRank(id string) int {
	if i, ok := rank[id]; ok {
		return i
	}
	return len(Rules)
}
