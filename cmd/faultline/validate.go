package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/faultline/faultline/inventory"
)

func init() {
	register("validate", "check an inventory file; exit 2 with every error as FILE:LINE:COL", runValidate)
}

func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var file string
	fs.StringVar(&file, "i", "inventory.yaml", "inventory `FILE`")
	fs.StringVar(&file, "inventory", "inventory.yaml", "inventory `FILE` (same as -i)")
	strict := fs.Bool("strict", false, "treat warnings (plaintext secrets, TLS verification off) as errors")
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	inv, ok := loadInventory(file, inventory.Options{Strict: *strict}, stderr)
	if !ok {
		return exitBadInput
	}
	fmt.Fprintf(stdout, "%s: ok: %s\n", file, inv.Summarize())
	return exitOK
}

// loadInventory loads a file, printing warnings, or every error, to stderr.
func loadInventory(file string, opts inventory.Options, stderr io.Writer) (*inventory.Inventory, bool) {
	inv, err := inventory.Load(file, opts)
	if err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			errs := 0
			for _, d := range ierr.Diagnostics {
				fmt.Fprintln(stderr, d)
				if d.Severity == inventory.SevError {
					errs++
				}
			}
			fmt.Fprintf(stderr, "%s: %d error(s)\n", file, errs)
		} else {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
		}
		return nil, false
	}
	for _, w := range inv.Warnings {
		fmt.Fprintln(stderr, w)
	}
	return inv, true
}

func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitBadInput
}
