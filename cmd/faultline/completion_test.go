package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// completionScript writes `faultline completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"completion", shell}, &out, &errb); code != exitOK {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
	}
	path := filepath.Join(t.TempDir(), "faultline."+shell)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bashComplete sources the script in a real bash, sets COMP_WORDS and
// COMP_CWORD as bash's completion would for the command line words, calls
// the completion function and returns COMPREPLY.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, shQuote(w))
	}
	prog := "source " + shQuote(script) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_faultline\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "--norc", "--noprofile", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	sort.Strings(got)
	return got
}

// realFlags are the flags a command's own flag set defines, spelt as
// completion offers them.
func realFlags(t *testing.T, name string) []string {
	t.Helper()
	rec := &flagRecorder{}
	commands[name].run(context.Background(), []string{"-h"}, rec, &bytes.Buffer{})
	var out []string
	for _, set := range rec.sets {
		set.VisitAll(func(f *flag.Flag) {
			if len(f.Name) == 1 {
				out = append(out, "-"+f.Name)
			} else {
				out = append(out, "--"+f.Name)
			}
		})
	}
	sort.Strings(out)
	return out
}

func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed: skipping the completion test")
	}
	script := completionScript(t, "bash")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: the script does not parse: %v\n%s", err, out)
	}

	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := bashComplete(t, script, "faultline", ""); !slices.Equal(got, names) {
		t.Errorf("commands: got %v, want %v", got, names)
	}
	if got := bashComplete(t, script, "faultline", "wh"); !slices.Equal(got, []string{"whatif"}) {
		t.Errorf("faultline wh<TAB>: %v", got)
	}
	for _, cmd := range []string{"whatif", "plan", "audit", "validate", "serve", "gen"} {
		want := realFlags(t, cmd)
		if len(want) == 0 {
			t.Fatalf("%s has no flags?", cmd)
		}
		if got := bashComplete(t, script, "faultline", cmd, "inventory.yaml", "-"); !slices.Equal(got, want) {
			t.Errorf("faultline %s inventory.yaml -<TAB>: got %v, want %v", cmd, got, want)
		}
	}
	if got := bashComplete(t, script, "faultline", "whatif", "--fa"); !slices.Equal(got, []string{"--fail"}) {
		t.Errorf("faultline whatif --fa<TAB>: %v", got)
	}
	// After a flag that takes a value, no flags: bash falls back to files.
	if got := bashComplete(t, script, "faultline", "whatif", "--fail", ""); len(got) != 0 {
		t.Errorf("faultline whatif --fail <TAB>: %v, want nothing (files)", got)
	}
}

func TestCompletionOtherShells(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			script := completionScript(t, shell)
			data, _ := os.ReadFile(script)
			for _, flag := range []string{"fail", "maintain", "keep-redundancy"} {
				if !strings.Contains(string(data), flag) {
					t.Errorf("the %s script lacks the flag %s", shell, flag)
				}
			}
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("%s is not installed: its script is not parsed", shell)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if out, err := exec.CommandContext(ctx, shell, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
			if shell == "fish" {
				// fish completes a command line itself: complete -C.
				out, err := exec.CommandContext(ctx, "fish", "--no-config", "-c", "source "+shQuote(script)+"; complete -C 'faultline whatif --fa'").CombinedOutput()
				if err != nil || !strings.HasPrefix(string(out), "--fail\t") {
					t.Errorf("fish: faultline whatif --fa<TAB>: %q (%v)", out, err)
				}
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"completion", "tcsh"}, &out, &errb); code != exitBadInput || !strings.Contains(errb.String(), `unknown shell "tcsh"`) {
		t.Errorf("completion tcsh: exit %d: %s", code, errb.String())
	}
}
