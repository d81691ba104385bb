package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/report"
)

// loadInventoryGitHub is loadInventory for a GitHub Actions job: every
// error and warning is also a workflow command on stdout, which annotates
// its line of the file; annotated is the file's path from the repository
// root, as annotations need it.
func loadInventoryGitHub(src invSource, annotated func(file string) string, opts inventory.Options, stdout, stderr io.Writer) (*inventory.Inventory, bool) {
	file := src.String()
	inv, err := inventory.LoadFiles(src, opts)
	var diags inventory.Diagnostics
	var ierr *inventory.Error
	switch {
	case err == nil:
		diags = inv.Warnings
	case errors.As(err, &ierr):
		diags = ierr.Diagnostics
	default:
		printLoadError(file, err, stderr)
		report.WriteGitHubCommand(stdout, "error", report.Annotation{Title: "faultline: inventory unreadable"}, err.Error())
		return nil, false
	}
	for _, d := range diags {
		level, title := "warning", "faultline: inventory warning"
		if d.Severity == inventory.SevError {
			level, title = "error", "faultline: inventory invalid"
		}
		msg := d.Message
		if d.Hint != "" {
			msg += "\n" + d.Hint
		}
		report.WriteGitHubCommand(stdout, level, report.Annotation{File: annotated(d.File), Line: int(d.Pos.Line), Col: int(d.Pos.Col), Title: title}, msg)
	}
	if err != nil {
		printLoadError(file, err, stderr)
		return nil, false
	}
	for _, w := range inv.Warnings {
		fmt.Fprintln(stderr, w)
	}
	return inv, true
}

// annotationPath is file's path from the root of its git repository, or
// file itself outside one.
func annotationPath(ctx context.Context, file string) string {
	if p, err := repoPath(ctx, file); err == nil {
		return p
	}
	return strings.TrimPrefix(file, "./")
}

// annotationPaths is annotationPath for every file of an inventory, each
// asked of git once.
func annotationPaths(ctx context.Context) func(string) string {
	memo := map[string]string{}
	return func(file string) string {
		p, ok := memo[file]
		if !ok {
			p = annotationPath(ctx, file)
			memo[file] = p
		}
		return p
	}
}
