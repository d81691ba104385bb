package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

func init() {
	register("export", "write the fault model for other tools: export openpsa (an Open-PSA MEF fault tree)", runExport)
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("export", "openpsa [--out FILE] [--observations FILE | --live URL] [-i] FILE", []string{
		"faultline export openpsa inventory.yaml --out model.xml   # then: scram --bdd --probability true model.xml",
		"faultline export openpsa -i inventory/ --observations obs.json > model.xml   # failed parts as house events",
	}, stdout, stderr)
	var inv inventoryFlag
	inv.add(c)
	out := c.String("out", "", "write to `FILE` instead of standard output")
	var live liveFlags
	live.add(c)
	if code, ok := c.parse(args); !ok {
		return code
	}
	if len(c.args) == 0 || c.args[0] != "openpsa" {
		return c.usageError("the format to export: openpsa")
	}
	c.args = c.args[1:]
	file, code, ok := inv.resolve(c)
	if !ok {
		return code
	}
	st, ok := live.load(ctx, file, audit.Options{SkipPairs: true}, stderr)
	if !ok {
		return exitBadInput
	}
	g := st.analysis.G
	var buf bytes.Buffer
	if err := openpsa.Write(&buf, g, reliability.Unavailability(g), openpsa.Options{}); err != nil {
		fmt.Fprintf(stderr, "faultline export: %s: %v\n", file, err)
		return exitBadInput
	}
	if err := writeOut(*out, buf.Bytes(), stdout); err != nil {
		fmt.Fprintf(stderr, "faultline export: %v\n", err)
		return exitBadInput
	}
	for _, a := range openpsa.Approximations(g, openpsa.Options{}) {
		fmt.Fprintf(stderr, "faultline export: approximation: %s\n", a)
	}
	if st.note != "" {
		fmt.Fprintln(stderr, st.note)
	}
	return exitOK
}

// writeOut writes data to path (through a temporary file beside it,
// renamed into place, so a reader never sees half a file), or to stdout
// when path is "".
func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}
