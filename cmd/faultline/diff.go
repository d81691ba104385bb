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
	register("diff", "findings a change to the inventory introduces, changes and resolves, and each service's expected downtime before and after (exit 1 if a critical one is introduced or gains causes)", runDiff)
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	req, code, ok := parseDiff(ctx, args, stdout, stderr)
	if !ok {
		return code
	}
	if !req.load(stdout, stderr) {
		return exitBadInput
	}
	d, ok := req.audit(stderr)
	if !ok {
		return exitBadInput
	}
	if err := report.Diff(stdout, req.format, req.options(ctx), d); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if d.Worsens(audit.Critical) {
		return exitFindings
	}
	return exitOK
}

// diffRequest is a diff's two sides, where they come from, and how the
// result is written.
type diffRequest struct {
	format  report.Format
	fromGit bool
	// reliability computes each side's reliability figures (diff
	// --reliability, on by default).
	reliability bool
	// oldSrcs is the old side read from git (diff --base); oldSrc the old
	// side's files otherwise; newSrc the new side's.
	oldSrcs        []inventory.Source
	oldSrc, newSrc invSource
	sides          [2]diffSide
	// annotated is the new inventory's path as annotations name it, and
	// paths maps a file to it (-o github only).
	annotated string
	paths     func(string) string
}

// diffSide is one side of a diff: its inventory and the messages its
// loading wrote.
type diffSide struct {
	name           string
	inv            *inventory.Inventory
	loaded         bool
	stdout, stderr bytes.Buffer
}

// parseDiff reads diff's flags and arguments: OLD NEW, or --base REF
// and the new side's files.
func parseDiff(ctx context.Context, args []string, stdout, stderr io.Writer) (*diffRequest, int, bool) {
	c := newCmd("diff", "[-o table|json|markdown|github] OLD NEW\n       faultline diff --base REF [-o ...] [-i] FILE", []string{
		"faultline diff old.yaml new.yaml -o markdown",
		"faultline diff --base origin/main inventory.yaml -o github   # in a pull request's CI job",
	}, stdout, stderr)
	var invf inventoryFlag
	invf.add(c)
	var out formatFlag
	out.add(c, "table, json, markdown (a pull request comment) or github (annotations in GitHub Actions)")
	base := c.String("base", "", "read the old side from git: the file as it is at `REF` (git show REF:PATH)")
	rel := c.Bool("reliability", true, "state each service's expected downtime before and after (false: only the findings, without the figures' cost)")
	if code, ok := c.parse(args); !ok {
		return nil, code, false
	}
	req := &diffRequest{format: report.GitHub, fromGit: *base != "", reliability: *rel}
	if out.format != string(report.GitHub) {
		var ok bool
		if req.format, ok = out.outFormat(stdout, stderr, false); !ok {
			return nil, exitBadInput, false
		}
	}
	if req.fromGit {
		file, code, ok := invf.resolve(c)
		if !ok {
			return nil, code, false
		}
		for _, f := range file {
			if _, err := inventory.Expand([]string{f}); err != nil {
				printLoadError(f, err, stderr)
				return nil, exitBadInput, false
			}
		}
		srcs, name, err := gitShowSources(ctx, *base, file)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return nil, exitBadInput, false
		}
		req.oldSrcs, req.sides[0].name, req.sides[1].name = srcs, name, file.String()
		req.newSrc = file
	} else {
		if len(invf.files) > 0 {
			return nil, c.usageError("-i is for diff --base; without it give OLD NEW"), false
		}
		if len(c.args) != 2 {
			return nil, c.usageError("want two files, OLD NEW (or --base REF FILE), got %d argument(s)", len(c.args)), false
		}
		req.sides[0].name, req.sides[1].name = c.args[0], c.args[1]
		req.oldSrc, req.newSrc = invSource{c.args[0]}, invSource{c.args[1]}
	}
	req.annotated = req.sides[1].name
	if req.format == report.GitHub {
		req.annotated = annotationPath(ctx, req.newSrc[0])
		req.paths = annotationPaths(ctx)
	}
	return req, exitOK, true
}

// load reads the two sides at once (the loads share the process's parse
// workers and a string table); each side's messages are held and written
// in the order the serial diff wrote them, old side first, and a side
// that fails stops the output where it did.
func (r *diffRequest) load(stdout, stderr io.Writer) bool {
	// The two files share one copy of the strings they have in common.
	loadOpts := inventory.Options{Strings: inventory.NewStrings()}
	var wg sync.WaitGroup
	wg.Go(func() {
		o := &r.sides[0]
		if r.fromGit {
			o.inv, o.loaded = parseInventory(o.name, r.oldSrcs, &o.stderr)
		} else {
			o.inv, o.loaded = loadInventory(r.oldSrc, loadOpts, &o.stderr)
		}
	})
	wg.Go(func() {
		n := &r.sides[1]
		if r.format == report.GitHub {
			n.inv, n.loaded = loadInventoryGitHub(r.newSrc, r.paths, loadOpts, &n.stdout, &n.stderr)
		} else {
			n.inv, n.loaded = loadInventory(r.newSrc, loadOpts, &n.stderr)
		}
	})
	wg.Wait()
	for i := range r.sides {
		stdout.Write(r.sides[i].stdout.Bytes())
		stderr.Write(r.sides[i].stderr.Bytes())
		if !r.sides[i].loaded {
			return false
		}
	}
	return true
}

// audit audits the two sides one after the other, so that only one
// fault graph is alive at a time (the old inventory is dropped once its
// findings and figures are known), and compares them.
func (r *diffRequest) audit(stderr io.Writer) (*audit.Diff, bool) {
	var sets [2][]audit.Finding
	var rel [2]*audit.Reliability
	for i := range r.sides {
		g, err := model.Build(r.sides[i].inv, nil)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %s: %v\n", r.sides[i].name, err)
			return nil, false
		}
		var a *audit.Analysis
		a, sets[i] = audit.Audit(g, audit.Options{Reliability: r.reliability})
		rel[i] = a.ReliabilityReport()
		if i == 0 {
			r.sides[0].inv = nil
		}
	}
	d := audit.DiffFindings(sets[0], sets[1])
	d.Downtime = audit.DiffDowntime(rel[0], rel[1])
	return d, true
}

// options place the diff's problems in the new inventory.
func (r *diffRequest) options(ctx context.Context) report.DiffOptions {
	newInv := r.sides[1].inv
	opts := report.DiffOptions{Old: r.sides[0].name, New: r.sides[1].name, File: r.annotated, Position: func(id string) (int, int) {
		p := newInv.DeclaredAt(id)
		return int(p.Line), int(p.Col)
	}}
	if len(newInv.Files) > 1 && r.format == report.GitHub {
		paths := annotationPaths(ctx)
		opts.FileOf = func(id string) string {
			p := newInv.DeclaredAt(id)
			if p.Line == 0 {
				return ""
			}
			return paths(newInv.FileOf(p))
		}
	}
	return opts
}
