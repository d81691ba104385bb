package audit

import (
	"fmt"
	"strings"
)

// Catalogue renders the rules registry as docs/rules.md.
func Catalogue() string {
	var b strings.Builder
	b.WriteString("# Rules\n\n")
	b.WriteString("Every finding faultline reports comes from one of these rules. This page is\n")
	b.WriteString("generated from the rule registry (`audit/rules.go`); a test fails when they differ\n")
	b.WriteString("(`go test ./audit -run TestCatalogue -update` rewrites it).\n\n")
	b.WriteString("Structural rules read only the inventory; live rules (marked *live*) need\n")
	b.WriteString("observations from the collectors (`faultline collect`, `faultline serve`).\n")
	b.WriteString("A finding's `id` is `rule/subject/nearest-cause` (`rule/device/power/nearest-cause`\n")
	b.WriteString("or `rule/device/network/nearest-cause` for a side of a device's own redundancy)\n")
	b.WriteString("and stays the same while the problem does; no two findings of a report share\n")
	b.WriteString("one, so monitoring can deduplicate on it. A finding that rests on observed\n")
	b.WriteString("state carries `observed_at`: when that state was read.\n\n")
	b.WriteString("| rule | severity | |\n|---|---|---|\n")
	for _, r := range Rules {
		live := ""
		if r.Live {
			live = " (live)"
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s%s |\n", r.ID, r.ID, r.Severity, r.Title, live)
	}
	for _, r := range Rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		kind := "structural"
		if r.Live {
			kind = "live"
		}
		fmt.Fprintf(&b, "**%s** — %s, %s.\n\n", r.Title, r.Severity, kind)
		fmt.Fprintf(&b, "**What it means.** %s\n\n", r.Means)
		fmt.Fprintf(&b, "**Why it matters.** %s\n\n", r.Why)
		fmt.Fprintf(&b, "**How to fix it.** %s\n", r.Fix)
	}
	return b.String()
}
