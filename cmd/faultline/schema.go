package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/faultline/faultline/inventory"
)

func init() {
	register("schema", "write the inventory's JSON Schema, for editors (see docs/inventory.md)", runSchema)
}

func runSchema(_ context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("schema", "[--out FILE]", []string{
		"faultline schema --out inventory.schema.json   # next to the inventory, which names it on its first line",
	}, stdout, stderr)
	out := c.String("out", "", "write to `FILE` instead of standard output")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	if *out == "" {
		if _, err := stdout.Write(inventory.Schema()); err != nil {
			fmt.Fprintf(stderr, "faultline schema: %v\n", err)
			return exitBadInput
		}
		return exitOK
	}
	if err := os.WriteFile(*out, inventory.Schema(), 0o644); err != nil {
		fmt.Fprintf(stderr, "faultline schema: %v\n", err)
		return exitBadInput
	}
	return exitOK
}
