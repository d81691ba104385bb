package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report"
)

func init() {
	register("audit", "audit an inventory: single points of failure and every other rule", runAudit)
}

// formatFlag is -o/--output.
type formatFlag struct{ format string }

func (c *formatFlag) add(fs *cmdFlags, formats string) {
	fs.StringVar(&c.format, "o", "", "output `FORMAT`: "+formats+" (default table on a terminal, json otherwise)")
	fs.StringVar(&c.format, "output", "", "output `FORMAT` (same as -o)")
}

// outFormat resolves -o; html is only for the audit page (allowHTML).
func (c *formatFlag) outFormat(stdout io.Writer, stderr io.Writer, allowHTML bool) (report.Format, bool) {
	if c.format == "" {
		if isTerminal(stdout) {
			return report.Table, true
		}
		return report.JSON, true
	}
	f, err := report.ParseFormat(c.format)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return "", false
	}
	if f == report.HTMLPage && !allowHTML {
		fmt.Fprintln(stderr, "faultline: -o html is the audit's report page: use table, json or markdown here")
		return "", false
	}
	return f, true
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("audit", "[-o table|json|markdown|html] [--fail-on critical|warning] [--observations FILE | --live URL] [-i] FILE", []string{
		"faultline audit inventory.yaml",
		"faultline audit inventory.yaml -o html > report.html",
		"faultline audit -i inventory.yaml --observations obs.json --fail-on warning",
		"faultline audit inventory.yaml --live http://127.0.0.1:8080",
	}, stdout, stderr)
	var inv inventoryFlag
	inv.add(c)
	var out formatFlag
	out.add(c, "table, json, markdown or html (the report page)")
	failOn := c.String("fail-on", "critical", "exit 1 when there are findings at or above this `SEVERITY`: critical or warning")
	rel := c.Bool("reliability", true, "compute each service's expected downtime and importance (false: the findings only, without the order-2 search of every service, on a large fleet)")
	var live liveFlags
	live.add(c)
	if code, ok := c.parse(args); !ok {
		return code
	}
	file, code, ok := inv.resolve(c)
	if !ok {
		return code
	}
	threshold := audit.Severity(*failOn)
	if threshold != audit.Critical && threshold != audit.Warning {
		fmt.Fprintf(stderr, "faultline: --fail-on %q: use critical or warning\n", *failOn)
		return exitBadInput
	}
	format, ok := out.outFormat(stdout, stderr, true)
	if !ok {
		return exitBadInput
	}
	st, ok := live.load(ctx, file, audit.Options{Reliability: *rel}, stderr)
	if !ok {
		return exitBadInput
	}
	r := audit.NewReport(time.Now(), st.findings)
	r.Reliability = st.analysis.ReliabilityReport()
	var err error
	if format == report.HTMLPage {
		err = report.HTML(stdout, st.analysis.G, r, report.HTMLOptions{Inventory: file.String(), Note: st.note})
	} else {
		err = report.Audit(stdout, format, "faultline audit of "+file.String(), r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if st.note != "" && format != report.HTMLPage && format != report.JSON {
		fmt.Fprintln(stderr, st.note)
	}
	if r.CountAtLeast(threshold) > 0 {
		return exitFindings
	}
	return exitOK
}
