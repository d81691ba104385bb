package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
)

func init() {
	register("gen", "write a synthetic inventory of any size (deterministic by seed)", runGen)
}

func runGen(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newCmd("gen", "[--components N | --racks N --servers-per-rack N] [--seed SEED] [--out FILE]", []string{
		"faultline gen --components 100000 --out fleet.yaml",
		"faultline gen --racks 3 --servers-per-rack 5 --seed 7",
	}, stdout, stderr)
	components := fs.Int("components", 0, "size the fleet to about `N` components (overrides --racks)")
	spec := fleet.Spec{}
	fs.IntVar(&spec.Sites, "sites", 2, "`N` sites")
	fs.IntVar(&spec.RacksPerSite, "racks", 10, "`N` racks per site")
	fs.IntVar(&spec.ServersPerRack, "servers-per-rack", 20, "`N` servers per rack")
	fs.Uint64Var(&spec.Seed, "seed", 1, "random `SEED`")
	fs.Float64Var(&spec.Tolerate2, "tolerate2", 0.02, "share of services with tolerate: 2")
	fs.Float64Var(&spec.Flaws, "flaws", 0.03, "share of servers with a cabling or disk mistake")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	if code, ok := fs.noArgs(); !ok {
		return code
	}
	if *components > 0 {
		sized := fleet.ForComponents(*components, spec.Seed)
		sized.Tolerate2, sized.Flaws = spec.Tolerate2, spec.Flaws
		spec = sized
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
		defer f.Close()
		w = f
	}
	// The first line points a YAML language server at the schema
	// (`faultline schema --out inventory.schema.json` beside the file).
	if _, err := fmt.Fprintln(w, inventory.SchemaComment); err != nil {
		fmt.Fprintf(stderr, "faultline: gen: %v\n", err)
		return exitBadInput
	}
	if err := fleet.Write(w, spec); err != nil {
		fmt.Fprintf(stderr, "faultline: gen: %v\n", err)
		return exitBadInput
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %s: about %d components\n", *out, spec.Components())
	}
	return exitOK
}
