package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faultline/faultline/audit"
)

// maxServicesShown bounds the services the table and Markdown list by
// expected downtime; the JSON document has them all.
const maxServicesShown = 20

// Downtime words an expected downtime a year given in minutes, in the
// unit a reader takes in at a glance: seconds under a minute, minutes
// under two hours, hours under two days, days beyond.
func Downtime(minutes float64) string {
	switch {
	case minutes < 1:
		return trim(minutes*60) + " s/yr"
	case minutes < 120:
		return trim(minutes) + " min/yr"
	case minutes < 48*60:
		return trim(minutes/60) + " h/yr"
	}
	return trim(minutes/(24*60)) + " days/yr"
}

// trim is x with three significant digits at most, without exponent.
func trim(x float64) string {
	if x >= 100 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	if x >= 10 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	if x >= 0.01 || x == 0 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'g', 2, 64)
}

// mostFrom words a service's three most important components by
// Fussell–Vesely, with their shares: "nfs-1 55%, ups-a 31%, ats-a 6%".
func mostFrom(s audit.ServiceReliability) string {
	var parts []string
	for i, im := range s.Importance {
		if i == 3 || im.FussellVesely < 0.005 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", im.Component, 100*im.FussellVesely))
	}
	return strings.Join(parts, ", ")
}

// tableReliability writes the services by expected downtime.
func tableReliability(tw *textWriter, rel *audit.Reliability) {
	if rel == nil || len(rel.Services) == 0 {
		return
	}
	tw.line("")
	tw.line("EXPECTED DOWNTIME (as designed, per year; docs/reliability.md)")
	for i, s := range rel.Services {
		if i == maxServicesShown {
			tw.line(fmt.Sprintf("  … %d more services (-o json lists them all)", len(rel.Services)-i))
			break
		}
		tw.wrap("  ", "      ", fmt.Sprintf("%s  %s  (unavailability %.3g ± %.2g)", s.ID, Downtime(s.DowntimeMinutesPerYear), s.Unavailability, s.ErrorBound))
		if m := mostFrom(s); m != "" {
			tw.wrap("    most from: ", "               ", m)
		}
	}
}

// mdReliability writes the services by expected downtime as a table.
func mdReliability(b *strings.Builder, rel *audit.Reliability) {
	if rel == nil || len(rel.Services) == 0 {
		return
	}
	b.WriteString("\n### Expected downtime\n\nAs designed, per year (how: faultline's docs/reliability.md).\n\n")
	b.WriteString("| service | expected downtime | unavailability | ± | most from |\n|---|---|---|---|---|\n")
	for i, s := range rel.Services {
		if i == maxServicesShown {
			fmt.Fprintf(b, "\n%d more services (`-o json` lists them all).\n", len(rel.Services)-i)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %.3g | %.2g | %s |\n", mdCode(s.ID), Downtime(s.DowntimeMinutesPerYear), s.Unavailability, s.ErrorBound, mdEscape(mostFrom(s)))
	}
}
