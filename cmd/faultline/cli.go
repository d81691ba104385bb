package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// cmdFlags is one command's flag set with the conventions every command
// shares (docs/architecture.md, the command line): flags before or after arguments, -h printing the
// synopsis, the flags and examples on stdout, and a one-line pointer to -h
// on a usage error.
type cmdFlags struct {
	*flag.FlagSet
	name     string
	synopsis string   // after "faultline NAME"
	examples []string // whole command lines
	stdout   io.Writer
	stderr   io.Writer
	args     []string // the positional arguments, after parse
}

func newCmd(name, synopsis string, examples []string, stdout, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &cmdFlags{FlagSet: fs, name: name, synopsis: synopsis, examples: examples, stdout: stdout, stderr: stderr}
	if rec, ok := stdout.(*flagRecorder); ok {
		rec.sets = append(rec.sets, c) // faultline completion reads the flags
	}
	// flag calls Usage on -h and after printing a parse error; parse
	// decides which help to print where.
	fs.Usage = func() {}
	return c
}

// printUsage writes the synopsis, the flags and the examples.
func (c *cmdFlags) printUsage(w io.Writer) {
	fmt.Fprintln(w, strings.TrimSpace("usage: faultline "+c.name+" "+c.synopsis))
	hasFlags := false
	c.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nflags (before or after the arguments):")
		c.SetOutput(w)
		c.PrintDefaults()
		c.SetOutput(c.stderr)
	}
	if len(c.examples) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// parse parses flags wherever they appear among the arguments (the
// standard flag package stops at the first argument that is not a flag);
// "--" ends the flags. It returns an exit code and false when the command
// must stop: 0 after -h, 2 after a bad flag.
func (c *cmdFlags) parse(args []string) (int, bool) {
	var pos []string
	for {
		if err := c.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage(c.stdout)
				return exitOK, false
			}
			// flag printed the error itself.
			fmt.Fprintf(c.stderr, "usage: faultline %s %s\nrun 'faultline %s -h' for the flags and examples\n", c.name, c.synopsis, c.name)
			return exitBadInput, false
		}
		rest := c.FlagSet.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	c.args = pos
	return exitOK, true
}

// usageError prints a usage error about the arguments and returns exit 2.
func (c *cmdFlags) usageError(format string, a ...any) int {
	fmt.Fprintf(c.stderr, "faultline %s: %s\nusage: faultline %s %s\nrun 'faultline %s -h' for the flags and examples\n",
		c.name, fmt.Sprintf(format, a...), c.name, c.synopsis, c.name)
	return exitBadInput
}

// noArgs rejects positional arguments for a command that takes none.
func (c *cmdFlags) noArgs() (int, bool) {
	if len(c.args) > 0 {
		return c.usageError("unexpected argument %q", c.args[0]), false
	}
	return exitOK, true
}

// inventoryFlag is -i/--inventory, for commands that read one inventory:
// a file, or a directory (its *.yaml files in name order); repeated, the
// inventory is the union of them all.
type inventoryFlag struct{ files []string }

// invSource is the files and directories an inventory is read from.
type invSource []string

// String names the inventory in messages: its paths, comma-separated.
func (s invSource) String() string { return strings.Join(s, ",") }

func (f *inventoryFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty inventory path")
	}
	f.files = append(f.files, s)
	return nil
}

func (f *inventoryFlag) String() string { return strings.Join(f.files, ",") }

func (f *inventoryFlag) add(c *cmdFlags) {
	c.Var(f, "i", "inventory `FILE` or directory of *.yaml files; repeat for several (or give one as the argument; default ./inventory.yaml)")
	c.Var(f, "inventory", "inventory `FILE` or directory (same as -i)")
}

// defaultInventory is read when a command is given no inventory at all,
// saying so on stderr: the fall-back is never silent.
const defaultInventory = "inventory.yaml"

// resolve takes the inventory from -i or the one argument: both, or more
// than one argument, is a usage error (exit 2), never a silent choice.
func (f *inventoryFlag) resolve(c *cmdFlags) (invSource, int, bool) {
	switch {
	case len(c.args) > 1:
		return nil, c.usageError("one inventory file, got %d arguments: %s (several files: -i FILE -i FILE, or a directory)", len(c.args), strings.Join(quoteAll(c.args), " ")), false
	case len(c.args) == 1 && len(f.files) > 0:
		return nil, c.usageError("the inventory twice: -i %s and the argument %s; give one", f, c.args[0]), false
	case len(c.args) == 1:
		return invSource{c.args[0]}, exitOK, true
	case len(f.files) > 0:
		return invSource(f.files), exitOK, true
	}
	fmt.Fprintf(c.stderr, "faultline %s: no inventory given (-i FILE or the argument): reading ./%s\n", c.name, defaultInventory)
	return invSource{defaultInventory}, exitOK, true
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
