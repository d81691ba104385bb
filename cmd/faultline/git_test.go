package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a repository in a temporary directory with the inventory
// at sub/inventory.yaml committed as before, and returns the file's path.
func gitRepo(t *testing.T, before string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: diff --base needs it")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "sub", "inventory.yaml")
	if err := os.WriteFile(file, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "sub/inventory.yaml")
	run("commit", "-q", "-m", "inventory")
	return file
}

// TestDiffBase: diff --base REF FILE reads the old side with git show
// REF:PATH, PATH from the repository's root whatever the file's
// directory, and annotates the file by that path.
func TestDiffBase(t *testing.T) {
	before, err := os.ReadFile(diffData + "feeds-two.yaml")
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(diffData + "db-added.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := gitRepo(t, string(before))
	if err := os.WriteFile(file, after, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"introduced against main", []string{"diff", "--base", "main", file, "-o", "table"}, 1,
			[]string{"faultline diff main:sub/inventory.yaml ->", "1 introduced, 0 changed, 0 resolved"}},
		{"annotations name the path from the root", []string{"diff", file, "--base", "main", "-o", "github"}, 1,
			[]string{"::error file=sub/inventory.yaml,line=21,col=10,title=faultline spof db (introduced)::"}},
		{"with -i", []string{"diff", "--base", "HEAD", "-i", file, "-o", "json"}, 1, []string{`"introduced": [`}},
		{"no such revision", []string{"diff", "--base", "origin/main", file}, 2, []string{"--base origin/main: no such revision", "git fetch"}},
		{"an option as revision", []string{"diff", "--base=--output=x", file}, 2, []string{"want a git revision"}},
		{"two files with --base", []string{"diff", "--base", "main", file, file}, 2, []string{"one inventory file"}},
		{"missing file", []string{"diff", "--base", "main", filepath.Join(filepath.Dir(file), "nope.yaml")}, 2, []string{"nope.yaml: no such file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q\n%s%s", w, out, errOut)
				}
			}
		})
	}

	// A file git does not know at that revision.
	other := filepath.Join(filepath.Dir(file), "new.yaml")
	if err := os.WriteFile(other, after, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, "diff", "--base", "main", other); code != 2 || !strings.Contains(errOut, "sub/new.yaml does not exist at main") {
		t.Errorf("a file new since the base: exit %d\n%s", code, errOut)
	}
	// Outside a repository.
	outside := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(outside, after, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, "diff", "--base", "main", outside); code != 2 || !strings.Contains(errOut, "is not in a git repository") {
		t.Errorf("outside a repository: exit %d\n%s", code, errOut)
	}
}
