package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report"
)

func init() {
	register("plan", "plan maintenance: safe batches to take components down (exit 1 if any is blocked)", runPlan)
}

func runPlan(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan", stderr)
	var c commonFlags
	c.add(fs)
	maintain := fs.String("maintain", "", "comma-separated `SELECTORS` of what to take down: ids, globs over ids (tor-*), kind=, rack=, site= with a glob")
	obsFile := fs.String("observations", "", "plan on the state in `FILE` (from faultline collect --out): its failures are down in every batch")
	staleAfter := fs.Duration("stale-after", 0, "with --observations: data older than this (relative to the file's time) is unverified (0: only failed polls)")
	keep := fs.Bool("keep-redundancy", false, "also refuse a batch that leaves a service a single point of failure it does not have now")
	maxBatch := fs.Int("max-batch", 0, "at most `N` components per batch (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	selectors := audit.SplitSelectors(*maintain)
	if len(selectors) == 0 {
		fmt.Fprintln(stderr, "faultline: plan needs --maintain SELECTOR[,SELECTOR...] (e.g. --maintain 'tor-*' or --maintain kind=pdu)")
		return exitBadInput
	}
	if *maxBatch < 0 {
		fmt.Fprintf(stderr, "faultline: --max-batch %d: use a positive number, or 0 for no limit\n", *maxBatch)
		return exitBadInput
	}
	format, ok := c.outFormat(stdout, stderr, true)
	if !ok {
		return exitBadInput
	}
	inv, ok := loadInventory(c.file, inventory.Options{}, stderr)
	if !ok {
		return exitBadInput
	}
	var ov *model.Overlay
	note := ""
	if *obsFile != "" {
		of, err := readObservations(*obsFile)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		observed := model.Observe(inv, of.Devices, model.ObserveOptions{Now: of.GeneratedAt, StaleAfter: *staleAfter})
		ov = &observed.Overlay
		note = fmt.Sprintf("observations of %s: %d of %d managed devices seen", of.GeneratedAt.Format(time.RFC3339), observed.Seen, observed.Managed)
	}
	g, err := model.Build(inv, ov)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s: %v\n", c.file, err)
		return exitBadInput
	}
	p, err := audit.PlanMaintenance(g, nil, selectors, audit.PlanOptions{KeepRedundancy: *keep, MaxBatch: *maxBatch})
	if err != nil {
		var serr *audit.SelectorError
		if errors.As(err, &serr) {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", c.file, err)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if format == report.HTMLPage {
		err = report.PlanHTML(stdout, p, report.HTMLOptions{Title: "Maintenance plan", Inventory: c.file, Note: note})
	} else {
		err = report.Plan(stdout, format, "faultline plan of "+c.file, p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if len(p.Blocked) > 0 {
		return exitFindings
	}
	return exitOK
}
