package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOpenPSADocs runs docs/openpsa.md's examples: its faultline lines
// (on the bundled inventory, with observations of one failed PSU), then
// its scram lines on what they wrote (skipped without scram); and its
// XML excerpts must be the export of the bundled inventory or of its own
// bank-split and breakout example (openpsa's golden files), word for word.
func TestOpenPSADocs(t *testing.T) {
	var goldens []string
	for _, name := range []string{"inventory.xml", "bank-split-breakout.xml"} {
		golden, err := os.ReadFile("../../openpsa/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		goldens = append(goldens, string(golden))
	}
	xmlBlocks := fenced(t, "../../docs/openpsa.md", "xml")
	if len(xmlBlocks) == 0 {
		t.Error("no XML excerpts in docs/openpsa.md")
	}
	for _, b := range xmlBlocks {
		if !slices.ContainsFunc(goldens, func(g string) bool { return strings.Contains(g, b) }) {
			t.Errorf("docs/openpsa.md's excerpt is in neither the bundled inventory's export (openpsa/testdata/inventory.xml) nor its bank-split and breakout example's (openpsa/testdata/bank-split-breakout.xml):\n%s", b)
		}
	}
	inv, err := os.ReadFile(repoInventory)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), inv, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "obs.json"), []byte(`{"version": 1, "generated_at": "2026-01-01T00:00:00Z", "devices": [
 {"id": "db-1", "source": "redfish", "attempted_at": "2026-01-01T00:00:00Z", "collected_at": "2026-01-01T00:00:00Z", "duration": 1,
  "psus": [{"id": "PSU1", "condition": "ok"}, {"id": "PSU2", "condition": "failed"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	shBlocks := fenced(t, "../../docs/openpsa.md", "sh")
	t.Chdir(dir)
	scram, scramErr := exec.LookPath("scram")
	ran := 0
	for _, block := range shBlocks {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			words := shellWords(line)
			switch {
			case len(words) == 0:
			case words[0] == "faultline":
				if code, out, errOut := cli(t, words[1:]...); code != 0 {
					t.Errorf("docs/openpsa.md: %q: exit %d\n%.600s%.600s", line, code, out, errOut)
				}
				ran++
			case words[0] == "scram" && scramErr != nil:
				t.Logf("docs/openpsa.md: %q: skipped: scram is not installed", line)
			case words[0] == "scram":
				if out, err := exec.Command(scram, words[1:]...).CombinedOutput(); err != nil {
					t.Errorf("docs/openpsa.md: %q: %v\n%.1000s", line, err, out)
				}
				ran++
			default:
				t.Errorf("docs/openpsa.md: %q: the test runs faultline and scram lines only", line)
			}
		}
	}
	if ran < 2 {
		t.Errorf("only %d commands of docs/openpsa.md ran", ran)
	}
	live, err := os.ReadFile("live.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(live), `<define-house-event name="psu-db-1_sPSU2">`) {
		t.Error("the export with observations has no house event for the failed PSU")
	}
}
