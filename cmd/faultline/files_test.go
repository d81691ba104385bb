package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// splitInventory writes a one-file inventory as two files in a new
// directory: the sites, racks and power in 10-power.yaml, the rest in
// 20-devices.yaml (which refers across to the first).
func splitInventory(t *testing.T, dir, src string) (string, string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	head, tail, ok := strings.Cut(string(data), "\ndevices:")
	if !ok {
		t.Fatalf("%s has no devices section", src)
	}
	a, b := filepath.Join(dir, "10-power.yaml"), filepath.Join(dir, "20-devices.yaml")
	if err := os.WriteFile(a, []byte(head+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("version: 1\ndevices:"+tail), 0o644); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestSeveralInventoryFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := splitInventory(t, dir, diffData+"feeds-one.yaml")
	_, whole, _ := cli(t, "audit", "-o", "json", diffData+"feeds-one.yaml")
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"validate -i -i", []string{"validate", "-i", a, "-i", b}, 0, []string{"ok: 1 sites, 2 racks, 7 power nodes, 3 devices"}},
		{"validate a directory", []string{"validate", dir}, 0, []string{dir + ": ok: 1 sites"}},
		{"audit a directory", []string{"audit", "-i", dir, "-o", "json"}, 1, []string{`"spof/web/feed-a"`}},
		{"whatif across files", []string{"whatif", "-i", a, "-i", b, "--fail", "feed-a"}, 1, []string{"web"}},
		{"plan across files", []string{"plan", "-i", dir, "--maintain", "pdu-*", "-o", "json"}, 0, []string{`"lower_bound": 2`}},
		{"one file alone dangles", []string{"validate", "-i", b}, 2, []string{b + ":", "unknown rack \"r1\""}},
		{"a missing path", []string{"validate", "-i", a, "-i", filepath.Join(dir, "nope.yaml")}, 2, []string{"nope.yaml: no such file"}},
		{"an empty directory", []string{"validate", t.TempDir()}, 2, []string{"holds no *.yaml file"}},
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
	// The union audits as the one file does.
	_, split, _ := cli(t, "audit", "-o", "json", "-i", dir)
	if stripGenerated(split) != stripGenerated(whole) {
		t.Errorf("the split inventory audits differently:\n%s\nvs\n%s", split, whole)
	}
	// An error in the second file is positioned in it, after the first's.
	if err := os.WriteFile(b, []byte("version: 1\ndevices:\n  - {id: x, kind: server, rack: r9}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "validate", dir)
	if code != 2 || !strings.Contains(errOut, b+":3:33: unknown rack \"r9\"") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

func stripGenerated(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "generated_at") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestDiffBaseDirectory: diff --base REF DIR compares the directory's
// files at REF, a file added since included, with its files now.
func TestDiffBaseDirectory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: diff --base needs it")
	}
	file := gitRepo(t, "version: 1\n")
	dir := filepath.Dir(file)
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	splitInventory(t, dir, diffData+"feeds-two.yaml")
	gitIn(t, dir, "add", "-A", ".")
	gitIn(t, dir, "commit", "-q", "-m", "split")
	splitInventory(t, dir, diffData+"feeds-one.yaml")
	code, out, errOut := cli(t, "diff", "--base", "main", "-i", dir, "-o", "table")
	if code != 1 || !strings.Contains(out, "main:sub/") || !strings.Contains(out, "introduced") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, "diff", "--base", "main", "-i", dir, "-o", "github")
	if code != 1 || !strings.Contains(out, "::error file=sub/") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	gitIn(t, dir, "commit", "-q", "-am", "one feed")
	code, out, errOut = cli(t, "diff", "--base", "HEAD", dir)
	if code != 0 {
		t.Errorf("against itself: exit %d\n%s%s", code, out, errOut)
	}
}

// TestDiffBaseDirectoryRefusesLinks: a pull request that commits a link
// among a directory's files cannot make diff --base print its target: the
// base side is read from git's objects, and a link there is refused.
func TestDiffBaseDirectoryRefusesLinks(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: diff --base needs it")
	}
	const key = "-----BEGIN EC PRIV" + "ATE KEY-----\nMHcCAQEEIdirSECRETkeyMATERIAL\n-----END EC PRIV" + "ATE KEY-----\n"
	secret := filepath.Join(t.TempDir(), "id_ecdsa")
	if err := os.WriteFile(secret, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	file := gitRepo(t, "version: 1\n")
	dir := filepath.Dir(file)
	if err := os.Symlink(secret, filepath.Join(dir, "z-runner.yaml")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "add", "-A", ".")
	gitIn(t, dir, "commit", "-q", "-m", "a link among the files")
	if err := os.Remove(filepath.Join(dir, "z-runner.yaml")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "diff", "--base", "main", "-i", dir, "-o", "github")
	if code != 2 || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("exit %d, want 2 naming the link\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "SECRET") || strings.Contains(out+errOut, "PRIV"+"ATE KEY") {
		t.Errorf("the runner's file leaked:\n%s%s", out, errOut)
	}
}
