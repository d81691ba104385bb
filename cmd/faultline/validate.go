package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/faultline/faultline/inventory"
)

func init() {
	register("validate", "check an inventory file; exit 2 with every error as FILE:LINE:COL", runValidate)
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("validate", "[--strict] [-o text|github] [-i] FILE", []string{
		"faultline validate inventory.yaml",
		"faultline validate --strict -i inventory.yaml",
		"faultline validate inventory.yaml -o github   # annotations in a GitHub Actions job",
	}, stdout, stderr)
	var inv inventoryFlag
	inv.add(c)
	strict := c.Bool("strict", false, "treat warnings (plaintext secrets, TLS verification off) as errors")
	format := c.String("o", "text", "output `FORMAT`: text, or github (GitHub Actions workflow commands that annotate the file)")
	c.StringVar(format, "output", "text", "output `FORMAT` (same as -o)")
	if code, ok := c.parse(args); !ok {
		return code
	}
	file, code, ok := inv.resolve(c)
	if !ok {
		return code
	}
	if *format != "text" && *format != "github" {
		return c.usageError("-o %q: use text or github", *format)
	}
	var loaded *inventory.Inventory
	if *format == "github" {
		loaded, ok = loadInventoryGitHub(file, annotationPaths(ctx), inventory.Options{Strict: *strict}, stdout, stderr)
	} else {
		loaded, ok = loadInventory(file, inventory.Options{Strict: *strict}, stderr)
	}
	if !ok {
		return exitBadInput
	}
	fmt.Fprintf(stdout, "%s: ok: %s\n", file, loaded.Summarize())
	return exitOK
}

// loadInventory loads an inventory (files and directories), printing
// warnings, or every error, to stderr.
func loadInventory(file invSource, opts inventory.Options, stderr io.Writer) (*inventory.Inventory, bool) {
	inv, err := inventory.LoadFiles(file, opts)
	if err != nil {
		printLoadError(file.String(), err, stderr)
		return nil, false
	}
	for _, w := range inv.Warnings {
		fmt.Fprintln(stderr, w)
	}
	return inv, true
}

// parseInventory is loadInventory for an inventory already read (the old
// side of diff --base); name is what messages call it.
func parseInventory(name string, srcs []inventory.Source, stderr io.Writer) (*inventory.Inventory, bool) {
	inv, err := inventory.ParseFiles(srcs, inventory.Options{})
	if err != nil {
		printLoadError(name, err, stderr)
		return nil, false
	}
	return inv, true
}

func printLoadError(file string, err error, stderr io.Writer) {
	var ierr *inventory.Error
	switch {
	case errors.As(err, &ierr):
		errs := 0
		for _, d := range ierr.Diagnostics {
			fmt.Fprintln(stderr, d)
			if d.Severity == inventory.SevError {
				errs++
			}
		}
		fmt.Fprintf(stderr, "%s: %d error(s)\n", file, errs)
	case errors.Is(err, fs.ErrNotExist):
		var pe *fs.PathError
		if errors.As(err, &pe) {
			file = pe.Path
		}
		fmt.Fprintf(stderr, "faultline: %s: no such file: give the inventory as -i FILE or as the argument\n", file)
	default:
		fmt.Fprintf(stderr, "faultline: %v\n", err)
	}
}
