package lab

import (
	"bytes"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/lab/redfishsim"
)

// repoRoot returns the repository's top directory, or skips when the
// tests do not run in a git checkout (a source tarball).
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	return strings.TrimSpace(string(out))
}

// TestNoPrivateKeyInGit: no file git tracks holds a PEM private key — the
// lab CA is made at run time (redfishsim.LoadOrCreateCA), never shipped.
func TestNoPrivateKeyInGit(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if len(files) < 10 {
		t.Fatalf("git ls-files listed %d files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree, or a submodule
		}
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if strings.Contains(b.Type, "PRIVATE KEY") {
				t.Errorf("%s holds a private key (%s): remove it from git and make it at run time", f, b.Type)
			}
		}
		if bytes.Contains(data, []byte("-----BEGIN ")) && strings.HasSuffix(f, ".pem") {
			t.Errorf("%s: a PEM file in git; lab certificates are made at run time", f)
		}
	}
}

// TestLabFilesIgnored: every file `faultline lab` (with --sites) writes
// into its directory — the default is the current one, often the
// repository — is ignored by git, so that neither the CA's key nor the
// lab's secrets can be committed by accident.
func TestLabFilesIgnored(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	if err := WriteSites(filepath.Join(dir, "lab-sites.yaml"), SitesSpec{Sites: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := redfishsim.LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "lab-jetstream", "jetstream"), 0o700); err != nil { // what jsserver.Start makes
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) < 6 {
		t.Fatalf("the lab wrote %d files, want at least 6", len(ents))
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() {
			name += "/jetstream"
		}
		cmd := exec.Command("git", "check-ignore", "-q", "--no-index", name)
		cmd.Dir = root
		if err := cmd.Run(); err != nil {
			t.Errorf("%s, which faultline lab writes, is not in .gitignore (git check-ignore: %v)", e.Name(), err)
		}
	}
}
