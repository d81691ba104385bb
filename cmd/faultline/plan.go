package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
	"github.com/faultline/faultline/report"
)

func init() {
	register("plan", "plan maintenance: safe batches to take components down (exit 1 if any is blocked)", runPlan)
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("plan", "--maintain SELECTORS [--keep-redundancy] [--max-batch N] [--window DURATION] [-o table|json|markdown|html] [--observations FILE | --live URL] [-i] FILE", []string{
		"faultline plan inventory.yaml --maintain 'tor-*'",
		"faultline plan inventory.yaml --maintain 'tor-*' --window 4h   # each batch's risk during a 4-hour window",
		"faultline plan inventory.yaml --maintain kind=pdu,rack=r0* --max-batch 4 -o markdown",
		"faultline plan inventory.yaml --maintain feed-a --observations obs.json   # on the hardware as collected",
		"faultline plan inventory.yaml --maintain 'tor-*' --live http://127.0.0.1:8080 -o html > plan.html",
	}, stdout, stderr)
	var inv inventoryFlag
	inv.add(c)
	var out formatFlag
	out.add(c, "table, json, markdown or html")
	maintain := c.String("maintain", "", "comma-separated `SELECTORS` of what to take down: ids, globs over ids (tor-*), kind=, rack=, site= with a glob")
	keep := c.Bool("keep-redundancy", false, "also refuse a batch that leaves a service a single point of failure it does not have now")
	maxBatch := c.Int("max-batch", 0, "at most `N` components per batch (0: no limit)")
	windowFlag := c.String("window", "", "state each batch's risk: the probability that a service goes down while the batch is out for `DURATION` (e.g. 4h, 90m, 2d; 1m to 744h)")
	var live liveFlags
	live.add(c)
	if code, ok := c.parse(args); !ok {
		return code
	}
	file, code, ok := inv.resolve(c)
	if !ok {
		return code
	}
	selectors, err := plan.CheckRequest([]string{*maintain}, *maxBatch)
	switch {
	case errors.Is(err, plan.ErrNoSelectors):
		return c.usageError("plan needs --maintain SELECTOR[,SELECTOR...] (e.g. --maintain 'tor-*' or --maintain kind=pdu)")
	case errors.Is(err, plan.ErrNegativeMaxBatch):
		return c.usageError("--max-batch %d: use a positive number, or 0 for no limit", *maxBatch)
	case err != nil:
		return c.usageError("--maintain: %v", err)
	}
	var window time.Duration
	if *windowFlag != "" {
		if window, err = audit.ParseWindow(*windowFlag); err != nil {
			return c.usageError("--window: %v", err)
		}
	}
	format, ok := out.outFormat(stdout, stderr, true)
	if !ok {
		return exitBadInput
	}
	st, ok := live.load(ctx, file, audit.Options{SkipPairs: true}, stderr)
	if !ok {
		return exitBadInput
	}
	p, err := plan.Maintenance(st.analysis.G, st.analysis, selectors, plan.Options{KeepRedundancy: *keep, MaxBatch: *maxBatch})
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
		return exitBadInput
	}
	var risk *audit.PlanWindow
	if window > 0 {
		if risk, err = st.analysis.PlanRisk(ctx, p.BatchComponents(), window); err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
			return exitBadInput
		}
	}
	if format == report.HTMLPage {
		err = report.PlanHTML(stdout, p, risk, report.HTMLOptions{Title: "Maintenance plan", Inventory: file.String(), Note: st.note})
	} else {
		err = report.Plan(stdout, format, "faultline plan of "+file.String(), p, risk)
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if st.note != "" && format != report.JSON && format != report.HTMLPage {
		fmt.Fprintln(stderr, st.note)
	}
	if len(p.Blocked) > 0 {
		return exitFindings
	}
	return exitOK
}
