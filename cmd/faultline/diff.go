package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

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

	// The two sides are loaded at once (the loads share the process's
	// parse workers and a string table); each side's messages are held
	// and written in the order the serial diff wrote them, old side first,
	// and a side that fails stops the output where it did. The audits run
	// one after the other, so that only one fault graph is alive at a
	// time, and the old inventory is dropped once its findings are known.
	var sides [2]diffSide
	var oldSrcs []inventory.Source // diff --base: the old side, read from git
	var oldSrc, newSrc invSource
	fromGit := *base != ""
	if fromGit {
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
		oldSrcs, sides[0].name, sides[1].name = srcs, name, file.String()
		newSrc = file
	} else {
		if len(invf.files) > 0 {
			return c.usageError("-i is for diff --base; without it give OLD NEW")
		}
		if len(c.args) != 2 {
			return c.usageError("want two files, OLD NEW (or --base REF FILE), got %d argument(s)", len(c.args))
		}
		sides[0].name, sides[1].name = c.args[0], c.args[1]
		oldSrc, newSrc = invSource{c.args[0]}, invSource{c.args[1]}
	}
	oldName, newName := sides[0].name, sides[1].name
	annotated := newName
	var paths func(string) string
	if format == report.GitHub {
		annotated = annotationPath(ctx, newSrc[0])
		paths = annotationPaths(ctx)
	}
	// The two files share one copy of the strings they have in common.
	loadOpts := inventory.Options{Strings: inventory.NewStrings()}
	var wg sync.WaitGroup
	wg.Go(func() {
		o := &sides[0]
		if fromGit {
			o.inv, o.loaded = parseInventory(o.name, oldSrcs, &o.stderr)
		} else {
			o.inv, o.loaded = loadInventory(oldSrc, loadOpts, &o.stderr)
		}
	})
	wg.Go(func() {
		n := &sides[1]
		if format == report.GitHub {
			n.inv, n.loaded = loadInventoryGitHub(newSrc, paths, loadOpts, &n.stdout, &n.stderr)
		} else {
			n.inv, n.loaded = loadInventory(newSrc, loadOpts, &n.stderr)
		}
	})
	wg.Wait()
	for i := range sides {
		stdout.Write(sides[i].stdout.Bytes())
		stderr.Write(sides[i].stderr.Bytes())
		if !sides[i].loaded {
			return exitBadInput
		}
	}
	var sets [2][]audit.Finding
	for i := range sides {
		g, err := model.Build(sides[i].inv, nil)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", sides[i].name, err)
			return exitBadInput
		}
		_, sets[i] = audit.Audit(g, audit.Options{})
		if i == 0 {
			sides[0].inv = nil
		}
	}
	newInv := sides[1].inv
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

// diffSide is one side of a diff: its inventory and the messages its
// loading wrote.
type diffSide struct {
	name           string
	inv            *inventory.Inventory
	loaded         bool
	stdout, stderr bytes.Buffer
}
