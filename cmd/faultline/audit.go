package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/observation"
	"github.com/faultline/faultline/report"
)

func init() {
	register("audit", "audit an inventory: single points of failure and every other rule", runAudit)
}

// commonFlags are -i and -o, shared by the audit commands.
type commonFlags struct {
	file, format string
}

func (c *commonFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "i", "inventory.yaml", "inventory `FILE`")
	fs.StringVar(&c.file, "inventory", "inventory.yaml", "inventory `FILE` (same as -i)")
	fs.StringVar(&c.format, "o", "", "output `FORMAT`: table, json, markdown (or html for audit) (default table on a terminal, json otherwise)")
	fs.StringVar(&c.format, "output", "", "output `FORMAT` (same as -o)")
}

// outFormat resolves -o; html is only for the audit page (allowHTML).
func (c *commonFlags) outFormat(stdout io.Writer, stderr io.Writer, allowHTML bool) (report.Format, bool) {
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

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// buildGraph loads an inventory and numbers it into a fault graph.
func buildGraph(file string, ov *model.Overlay, stderr io.Writer) (*inventory.Inventory, *model.Graph, bool) {
	inv, ok := loadInventory(file, inventory.Options{}, stderr)
	if !ok {
		return nil, nil, false
	}
	g, err := model.Build(inv, ov)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
		return nil, nil, false
	}
	return inv, g, true
}

func runAudit(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("audit", stderr)
	var c commonFlags
	c.add(fs)
	failOn := fs.String("fail-on", "critical", "exit 1 when there are findings at or above this `SEVERITY`: critical or warning")
	obsFile := fs.String("observations", "", "lay the observations in `FILE` (from faultline collect --out) over the inventory")
	staleAfter := fs.Duration("stale-after", 0, "with --observations: data older than this (relative to the file's time) is unverified (0: only failed polls)")
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	threshold := audit.Severity(*failOn)
	if threshold != audit.Critical && threshold != audit.Warning {
		fmt.Fprintf(stderr, "faultline: --fail-on %q: use critical or warning\n", *failOn)
		return exitBadInput
	}
	format, ok := c.outFormat(stdout, stderr, true)
	if !ok {
		return exitBadInput
	}
	var findings []audit.Finding
	var graph *model.Graph
	note := ""
	if *obsFile != "" {
		inv, ok := loadInventory(c.file, inventory.Options{}, stderr)
		if !ok {
			return exitBadInput
		}
		of, err := readObservations(*obsFile)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		var a *audit.Analysis
		var observed *model.Observed
		a, findings, observed, err = audit.Live(inv, of.Devices, audit.LiveOptions{Now: of.GeneratedAt, StaleAfter: *staleAfter})
		if err == nil {
			graph = a.G
			note = fmt.Sprintf("observations of %s: %d of %d managed devices seen", of.GeneratedAt.Format(time.RFC3339), observed.Seen, observed.Managed)
		}
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", c.file, err)
			return exitBadInput
		}
	} else {
		_, g, ok := buildGraph(c.file, nil, stderr)
		if !ok {
			return exitBadInput
		}
		graph = g
		_, findings = audit.Audit(g, audit.Options{})
	}
	r := audit.NewReport(time.Now(), findings)
	var err error
	if format == report.HTMLPage {
		err = report.HTML(stdout, graph, r, report.HTMLOptions{Inventory: c.file, Note: note})
	} else {
		err = report.Audit(stdout, format, "faultline audit of "+c.file, r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if r.CountAtLeast(threshold) > 0 {
		return exitFindings
	}
	return exitOK
}

func readObservations(path string) (*observation.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	of, err := observation.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return of, nil
}
