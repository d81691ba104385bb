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

// gitIn runs git in dir with a neutral identity and configuration.
func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestPullRequestCannotReadRunnerFiles is issue 18's second trick: a pull
// request replaces inventory.yaml with a symbolic link to a file of the CI
// runner (here a private key outside the repository), and the CI job runs
// diff --base and validate on it. Neither may print a byte of the key:
// the working file is refused as a link, and the base side is read from
// git's objects, where a committed link (mode 120000) is refused too.
func TestPullRequestCannotReadRunnerFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: diff --base needs it")
	}
	const key = "-----BEGIN EC PRIV" + "ATE KEY-----\nMHcCAQEEIBJ2runnerSECRETkeyMATERIAL\n-----END EC PRIV" + "ATE KEY-----\n"
	secret := filepath.Join(t.TempDir(), "id_ecdsa")
	if err := os.WriteFile(secret, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	// A KEY=VALUE file, the other shape the issue saw leak.
	env := filepath.Join(filepath.Dir(secret), "runner.env")
	if err := os.WriteFile(env, []byte("ACTIONS_RUNTIME_TOKEN=eyJrunnerSECRETtoken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(diffData + "feeds-two.yaml")
	if err != nil {
		t.Fatal(err)
	}
	leaks := []string{"PRIVATE", "MHcC", "runnerSECRET", "ACTIONS_RUNTIME_TOKEN"}

	// The pull request's checkout: main holds a real inventory; the
	// working tree (the PR's head) links it to a runner file.
	repo := t.TempDir()
	gitIn(t, repo, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(repo, "inventory.yaml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(repo, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "sub", "inventory.yaml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", ".")
	gitIn(t, repo, "commit", "-q", "-m", "inventory")
	// A branch whose committed inventory is itself a link (mode 120000).
	gitIn(t, repo, "checkout", "-q", "-b", "linked")
	if err := os.Remove(filepath.Join(repo, "inventory.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(repo, "inventory.yaml")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "inventory.yaml")
	gitIn(t, repo, "commit", "-q", "-m", "link")
	gitIn(t, repo, "checkout", "-q", "main")
	// The PR's working tree: inventory.yaml a link to the key, sub/ a
	// link to the runner's directory (whose inventory.yaml is a KEY=VALUE
	// file), and other.yaml a link to that file.
	if err := os.Remove(filepath.Join(repo, "inventory.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(repo, "inventory.yaml")); err != nil {
		t.Fatal(err)
	}
	runnerDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(runnerDir, "inventory.yaml"), []byte("ACTIONS_RUNTIME_TOKEN=eyJrunnerSECRETtoken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(repo, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(runnerDir, filepath.Join(repo, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(env, filepath.Join(repo, "other.yaml")); err != nil {
		t.Fatal(err)
	}
	// The regular file of the base branch, for the committed-link case.
	if err := os.WriteFile(filepath.Join(repo, "regular.yaml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"diff --base -o github", []string{"diff", "--base", "main", "inventory.yaml", "-o", "github"}, "inventory.yaml: not a regular file: it is a symbolic link"},
		{"diff --base -o markdown", []string{"diff", "--base", "main", "inventory.yaml", "-o", "markdown"}, "it is a symbolic link"},
		{"validate -o github", []string{"validate", "-o", "github", "inventory.yaml"}, "it is a symbolic link"},
		{"validate", []string{"validate", "inventory.yaml"}, "it is a symbolic link"},
		{"validate a KEY=VALUE file", []string{"validate", "-o", "github", "other.yaml"}, "it is a symbolic link"},
		{"audit", []string{"audit", "inventory.yaml"}, "it is a symbolic link"},
		{"diff OLD NEW", []string{"diff", "other.yaml", "inventory.yaml", "-o", "github"}, "it is a symbolic link"},
		{"through a linked directory", []string{"validate", "-o", "github", "sub/inventory.yaml"}, "its directory sub is a symbolic link"},
		{"diff --base through a linked directory", []string{"diff", "--base", "main", "sub/inventory.yaml", "-o", "github"}, "symbolic link"},
		{"a link committed at the base", []string{"diff", "--base", "linked", "inventory.yaml", "-o", "github"}, "it is a symbolic link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if !strings.Contains(out+errOut, tc.want) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tc.want, out, errOut)
			}
			for _, leak := range leaks {
				if strings.Contains(out+errOut, leak) {
					t.Errorf("output holds %q from a runner file\nstdout:\n%s\nstderr:\n%s", leak, out, errOut)
				}
			}
		})
	}
	// A committed link at the base is refused even when the working file
	// is regular; so the check is on git's tree, not on the working tree.
	if err := os.Remove("inventory.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("inventory.yaml", good, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "diff", "--base", "linked", "inventory.yaml", "-o", "github")
	if code != exitBadInput || !strings.Contains(errOut, "is a symbolic link at linked") || strings.Contains(out+errOut, "MHcC") {
		t.Errorf("base link with a regular working file: exit %d\n%s%s", code, out, errOut)
	}
	// And the regular case still works: the base read from its blob.
	if code, out, errOut := cli(t, "diff", "--base", "main", "inventory.yaml", "-o", "github"); code != exitOK || !strings.Contains(out, "0 introduced") {
		t.Errorf("regular files: exit %d\n%s%s", code, out, errOut)
	}
}
