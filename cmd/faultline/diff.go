package main

import (
	"context"
	"fmt"
	"io"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report"
)

func init() {
	register("diff", "findings a change to the inventory introduces, changes and resolves (exit 1 if a critical one is introduced or gains causes)", runDiff)
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("diff", "[-o table|json|markdown|github] OLD NEW\n       faultline diff --base REF [-o ...] [-i] FILE", []string{
		"faultline diff old.yaml new.yaml -o markdown",
		"faultline diff --base origin/main inventory.yaml -o github   # in a pull request's CI job",
	}, stdout, stderr)
	var invf inventoryFlag
	invf.add(c)
	var out formatFlag
	out.add(c, "table, json, markdown (a pull request comment) or github (annotations in GitHub Actions)")
	base := c.String("base", "", "read the old side from git: the file as it is at `REF` (git show REF:PATH)")
	if code, ok := c.parse(args); !ok {
		return code
	}
	var format report.Format
	if out.format == string(report.GitHub) {
		format = report.GitHub
	} else {
		var ok bool
		if format, ok = out.outFormat(stdout, stderr, false); !ok {
			return exitBadInput
		}
	}

	var oldInv, newInv *inventory.Inventory
	var oldName, newName string
	var newSrc invSource
	if *base != "" {
		file, code, ok := invf.resolve(c)
		if !ok {
			return code
		}
		for _, f := range file {
			if _, err := inventory.Expand([]string{f}); err != nil {
				printLoadError(f, err, stderr)
				return exitBadInput
			}
		}
		srcs, name, err := gitShowSources(ctx, *base, file)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		if oldInv, ok = parseInventory(name, srcs, stderr); !ok {
			return exitBadInput
		}
		oldName, newName = name, file.String()
		newSrc = file
	} else {
		if len(invf.files) > 0 {
			return c.usageError("-i is for diff --base; without it give OLD NEW")
		}
		if len(c.args) != 2 {
			return c.usageError("want two files, OLD NEW (or --base REF FILE), got %d argument(s)", len(c.args))
		}
		oldName, newName = c.args[0], c.args[1]
		newSrc = invSource{newName}
		var ok bool
		if oldInv, ok = loadInventory(invSource{oldName}, inventory.Options{}, stderr); !ok {
			return exitBadInput
		}
	}
	annotated := newName
	if format == report.GitHub {
		annotated = annotationPath(ctx, newSrc[0])
		var ok bool
		if newInv, ok = loadInventoryGitHub(newSrc, annotationPaths(ctx), inventory.Options{}, stdout, stderr); !ok {
			return exitBadInput
		}
	} else {
		var ok bool
		if newInv, ok = loadInventory(newSrc, inventory.Options{}, stderr); !ok {
			return exitBadInput
		}
	}

	var sets [2][]audit.Finding
	for i, side := range []struct {
		name string
		inv  *inventory.Inventory
	}{{oldName, oldInv}, {newName, newInv}} {
		g, err := model.Build(side.inv, nil)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", side.name, err)
			return exitBadInput
		}
		_, sets[i] = audit.Audit(g, audit.Options{})
	}
	d := audit.DiffFindings(sets[0], sets[1])
	opts := report.DiffOptions{Old: oldName, New: newName, File: annotated, Position: func(id string) (int, int) {
		p := newInv.DeclaredAt(id)
		return int(p.Line), int(p.Col)
	}}
	if len(newInv.Files) > 1 && format == report.GitHub {
		paths := annotationPaths(ctx)
		opts.FileOf = func(id string) string {
			p := newInv.DeclaredAt(id)
			if p.Line == 0 {
				return ""
			}
			return paths(newInv.FileOf(p))
		}
	}
	if err := report.Diff(stdout, format, opts, d); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if d.Worsens(audit.Critical) {
		return exitFindings
	}
	return exitOK
}
