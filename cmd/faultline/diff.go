package main

import (
	"context"
	"fmt"
	"io"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report"
)

func init() {
	register("diff", "findings a change to the inventory introduces and resolves (exit 1 if it introduces a critical one)", runDiff)
}

func runDiff(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", stderr)
	format := fs.String("o", "", "output `FORMAT`: table, json or markdown")
	fs.StringVar(format, "output", "", "output `FORMAT` (same as -o)")
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: faultline diff [-o FORMAT] OLD.yaml NEW.yaml")
		return exitBadInput
	}
	c := commonFlags{format: *format}
	f, ok := c.outFormat(stdout, stderr, false)
	if !ok {
		return exitBadInput
	}
	var sets [2][]audit.Finding
	for i, file := range fs.Args() {
		_, g, ok := buildGraph(file, nil, stderr)
		if !ok {
			return exitBadInput
		}
		_, sets[i] = audit.Audit(g, audit.Options{})
	}
	d := audit.DiffFindings(sets[0], sets[1])
	if err := report.Diff(stdout, f, fs.Arg(0), fs.Arg(1), d); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	for _, x := range d.Introduced {
		if x.Severity == audit.Critical {
			return exitFindings
		}
	}
	return exitOK
}
