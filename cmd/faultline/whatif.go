package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report"
)

func init() {
	register("whatif", "what goes down if components fail (exit 1 if a service does)", runWhatIf)
}

func runWhatIf(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("whatif", "--fail ID[,ID...] [-o table|json|markdown] [--observations FILE | --live URL] [-i] FILE", []string{
		"faultline whatif inventory.yaml --fail pdu-r03-a,tor-3b",
		"faultline whatif inventory.yaml --fail feed-a --observations obs.json   # on the hardware as collected",
		"faultline whatif inventory.yaml --fail feed-a --live http://127.0.0.1:8080   # a pre-flight on the live state",
	}, stdout, stderr)
	var inv inventoryFlag
	inv.add(c)
	var out formatFlag
	out.add(c, "table, json or markdown")
	fail := c.String("fail", "", "comma-separated component `IDS` to fail: racks, sites, power nodes, devices, device/PSU, links")
	var live liveFlags
	live.add(c)
	if code, ok := c.parse(args); !ok {
		return code
	}
	file, code, ok := inv.resolve(c)
	if !ok {
		return code
	}
	var ids []string
	for _, id := range strings.Split(*fail, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return c.usageError("whatif needs --fail ID[,ID...]")
	}
	format, ok := out.outFormat(stdout, stderr, false)
	if !ok {
		return exitBadInput
	}
	st, ok := live.load(ctx, file, audit.Options{SkipPairs: true}, stderr)
	if !ok {
		return exitBadInput
	}
	w, err := audit.RunWhatIf(st.analysis.G, st.analysis, ids)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %s: %v\n", file, err)
		return exitBadInput
	}
	if err := report.WhatIf(stdout, format, w); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if st.note != "" && format != report.JSON {
		fmt.Fprintln(stderr, st.note)
	}
	if w.ServicesDown() > 0 {
		return exitFindings
	}
	return exitOK
}
