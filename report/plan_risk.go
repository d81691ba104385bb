package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/faultline/faultline/audit"
)

// maxRisksShown bounds the services a batch's risk lists in the table,
// Markdown and the page; the JSON document has them all.
const maxRisksShown = 5

// OneIn words a probability for a reader: "1 in 12,000 (8.3e-05)"; "none"
// for 0, "certain" from 1.
func OneIn(p float64) string {
	switch {
	case p <= 0:
		return "none"
	case p >= 1:
		return "certain"
	case p > 0.5:
		return strconv.FormatFloat(p, 'f', 2, 64)
	}
	return "1 in " + roundCount(1/p) + " (" + strconv.FormatFloat(p, 'e', 1, 64) + ")"
}

// roundCount writes n with two significant digits: 12,000; 4.1 million.
func roundCount(n float64) string {
	if n < 10 {
		return strconv.FormatFloat(n, 'f', 1, 64)
	}
	mag := math.Pow(10, math.Floor(math.Log10(n))-1)
	n = math.Round(n/mag) * mag
	for _, u := range []struct {
		div  float64
		name string
	}{{1e12, " trillion"}, {1e9, " billion"}, {1e6, " million"}} {
		if n >= u.div {
			return strconv.FormatFloat(n/u.div, 'f', -1, 64) + u.name
		}
	}
	s := strconv.FormatFloat(n, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// riskLine words one service's risk during a batch's window, and what
// the batch adds to the risk the window has anyway.
func riskLine(s audit.ServiceRisk) string {
	if s.Risk >= 1 {
		return s.ID + " down outright while the batch is out"
	}
	line := fmt.Sprintf("%s %s; the batch adds %s", s.ID, OneIn(s.Risk), OneIn(s.Risk-s.Baseline))
	if m := riskFrom(s); m != "" {
		line += "; most from " + m
	}
	return line
}

// riskFrom words the components a risk comes from: "tor-1b 99%".
func riskFrom(s audit.ServiceRisk) string {
	var parts []string
	for _, im := range s.MostFrom {
		if im.FussellVesely >= 0.005 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", im.Component, 100*im.FussellVesely))
		}
	}
	return strings.Join(parts, ", ")
}

// batchRisk is the window's figures of batch i (from 0), nil without.
func batchRisk(w *audit.PlanWindow, i int) *audit.BatchRisk {
	if w == nil || i >= len(w.Batches) {
		return nil
	}
	return &w.Batches[i]
}

// riskTitle heads a batch's risk: "risk during 4h".
func riskTitle(w *audit.PlanWindow) string { return "risk during " + w.Window }

// tableRisk writes a batch's risk in the table.
func tableRisk(tw *textWriter, w *audit.PlanWindow, i int) {
	br := batchRisk(w, i)
	if br == nil {
		return
	}
	if len(br.Services) == 0 {
		tw.wrap("  ", "      ", riskTitle(w)+": no service's risk rises")
		return
	}
	for k, s := range br.Services {
		if k == maxRisksShown {
			tw.line(fmt.Sprintf("  … %d more services (-o json lists them all)", len(br.Services)-k))
			break
		}
		tw.wrap("  "+riskTitle(w)+": ", "      ", riskLine(s))
	}
}

// mdRisk writes a batch's risk in Markdown.
func mdRisk(b *strings.Builder, w *audit.PlanWindow, i int) {
	br := batchRisk(w, i)
	if br == nil {
		return
	}
	if len(br.Services) == 0 {
		fmt.Fprintf(b, "- %s: no service's risk rises\n", riskTitle(w))
		return
	}
	for k, s := range br.Services {
		if k == maxRisksShown {
			fmt.Fprintf(b, "- … %d more services (`-o json` lists them all)\n", len(br.Services)-k)
			break
		}
		fmt.Fprintf(b, "- %s: %s\n", riskTitle(w), mdEscape(riskLine(s)))
	}
}

// windowNote says what the risk figures are, under the plan's headline.
func windowNote(w *audit.PlanWindow) string {
	return fmt.Sprintf("Risk during %s: the probability that a service goes down while the batch is out for %s, from the failure rates in the inventory's reliability section (docs/reliability.md)", w.Window, w.Window)
}
