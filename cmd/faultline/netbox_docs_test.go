package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/netbox"
	"github.com/faultline/faultline/netbox/nbsim"
)

// netboxDocs are docs/netbox.md's config and hand-kept file.
func netboxDocs(t *testing.T, path string) (config, handKept string) {
	t.Helper()
	blocks := fenced(t, path, "yaml")
	if len(blocks) != 2 {
		t.Fatalf("docs/netbox.md has %d yaml blocks, want 2 (the config, the hand-kept file)", len(blocks))
	}
	return blocks[0], blocks[1]
}

// simulatedNetBox serves the recorded estate; "" when the recordings are absent.
func simulatedNetBox(t *testing.T, root string) (string, string) {
	t.Helper()
	objs, err := nbsim.LoadRecorded(filepath.Join(root, "..", "shared", "testdata", "netbox-estate"))
	if err != nil || len(objs) == 0 {
		return "", "the recorded NetBox answers (../shared/testdata/netbox-estate) are absent"
	}
	sim := nbsim.New(objs, 50, "readme-token")
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Setenv("NETBOX_TOKEN", "readme-token")
	return srv.URL, ""
}

// readmeNetBox prepares the README's NetBox lines: a simulated NetBox and
// a directory holding docs/netbox.md's config (netbox.yaml) and hand-kept
// file (inventory/site.yaml). It runs from the repository's root.
func readmeNetBox(t *testing.T) (string, string, bool) {
	t.Helper()
	root, _ := os.Getwd()
	url, why := simulatedNetBox(t, root)
	if url == "" {
		return "", why, false
	}
	cfg, hand := netboxDocs(t, filepath.Join(root, "docs", "netbox.md"))
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inventory"), 0o755)
	os.WriteFile(filepath.Join(dir, "netbox.yaml"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(dir, "inventory", "site.yaml"), []byte(hand), 0o644)
	return url, dir, true
}

// TestNetBoxDocs: docs/netbox.md's config parses, its hand-kept file
// validates with the estate's import, and its command lines parse; the
// day-one walkthrough runs against the simulated NetBox.
func TestNetBoxDocs(t *testing.T) {
	cfg, hand := netboxDocs(t, "../../docs/netbox.md")
	c, err := netbox.ParseConfig("docs/netbox.md", []byte(cfg))
	if err != nil {
		t.Fatalf("the config example: %v", err)
	}
	if !c.Services.IPAM || len(c.Management) != 2 || c.Roles["database-server"] != "server" {
		t.Errorf("the config example parsed to %+v", c)
	}
	golden, err := os.ReadFile("../../netbox/testdata/netbox-estate.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.ParseFiles([]inventory.Source{{Name: "site.yaml", Data: []byte(hand)}, {Name: "netbox.yaml", Data: golden}}, inventory.Options{}); err != nil {
		t.Errorf("the hand-kept example with the estate's import: %v", err)
	}
	root, _ := filepath.Abs("../..")
	url, why := simulatedNetBox(t, root)
	if url == "" {
		t.Skip(why)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inventory"), 0o755)
	os.WriteFile(filepath.Join(dir, "netbox.yaml"), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(dir, "inventory", "site.yaml"), []byte(hand), 0o644)
	t.Chdir(dir)
	ran := 0
	for _, block := range fenced(t, filepath.Join(root, "docs", "netbox.md"), "sh") {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			words := shellWords(line)
			if len(words) == 0 || words[0] != "faultline" {
				continue
			}
			args := words[1:]
			if args[0] == "diff" || args[0] == "git" {
				// needs a repository with a base: its flags must parse
				if code, _, errOut := cli(t, append(args, "-h")...); code != 0 {
					t.Errorf("docs/netbox.md: %q does not parse: %s", line, errOut)
				}
				continue
			}
			for i := range args {
				if i > 0 && args[i-1] == "--url" {
					args[i] = url
				}
			}
			want := 0
			if m := statedExit.FindStringSubmatch(line); m != nil {
				want = int(m[1][0] - '0')
			}
			if args[0] == "import" && strings.Contains(line, "--check") {
				want = 0 // up to date right after the import; exit 1 once NetBox changes (TestImportNetBox)
			}
			code, out, errOut := cli(t, args...)
			if code != want {
				t.Errorf("docs/netbox.md: %q: exit %d, want %d\n%.800s%.800s", line, code, want, out, errOut)
			}
			ran++
		}
	}
	if ran < 4 {
		t.Errorf("ran %d faultline lines of docs/netbox.md", ran)
	}
}
