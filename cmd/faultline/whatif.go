package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report"
)

func init() {
	register("whatif", "what goes down if components fail (exit 1 if a service does)", runWhatIf)
}

func runWhatIf(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("whatif", stderr)
	var c commonFlags
	c.add(fs)
	fail := fs.String("fail", "", "comma-separated component `IDS` to fail: racks, sites, power nodes, devices, device/PSU, links")
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	var ids []string
	for _, id := range strings.Split(*fail, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(stderr, "faultline: whatif needs --fail ID[,ID...]")
		return exitBadInput
	}
	format, ok := c.outFormat(stdout, stderr, false)
	if !ok {
		return exitBadInput
	}
	_, g, ok := buildGraph(c.file, nil, stderr)
	if !ok {
		return exitBadInput
	}
	w, err := audit.RunWhatIf(g, nil, ids)
	if err != nil {
		var uerr *audit.UnknownComponentError
		if errors.As(err, &uerr) {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", c.file, err)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if err := report.WhatIf(stdout, format, w); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if w.ServicesDown() > 0 {
		return exitFindings
	}
	return exitOK
}
