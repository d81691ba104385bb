package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanExitCodes(t *testing.T) {
	dir := filepath.Join("..", "..", "report", "testdata", "plan")
	inv := func(name string) string { return filepath.Join(dir, name+".yaml") }
	cases := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout+stderr
	}{
		{"all batched", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "-o", "table"}, 0, "BATCH 2 (1): tor-1b"},
		{"blocked", []string{"plan", "-i", inv("feed-switches"), "--maintain", "kind=feed", "-o", "json"}, 1, `"component": "feed-a"`},
		{"repair named", []string{"plan", "-i", inv("repair"), "--maintain", "pdu-a", "--observations", filepath.Join(dir, "repair.obs.json"), "-o", "json"}, 1, `"fix_first": [
        "dl325/PSU2"`},
		{"no repair without observations", []string{"plan", "-i", inv("repair"), "--maintain", "pdu-a", "-o", "table"}, 0, "BATCH 1 (1): pdu-a"},
		{"max batch", []string{"plan", "-i", inv("quorum"), "--maintain", "db-*", "--max-batch", "1", "-o", "markdown"}, 0, "### Batch 4 (1)"},
		{"keep redundancy", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-1a", "--keep-redundancy", "-o", "table"}, 1, "would go down if tor-1b failed"},
		{"html", []string{"plan", "-i", inv("pdu-overload"), "--maintain", "kind=pdu", "-o", "html"}, 1, "<!DOCTYPE html>"},
		{"window", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "--window", "4h", "-o", "table"}, 0, "risk during 4h: web 1 in 1,100"},
		{"window json", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "--window", "90m", "-o", "json"}, 0, `"window": "1h30m"`},
		{"bad window", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "--window", "soon"}, 2, `--window: window "soon" is not a duration: give e.g. 4h, 90m or 2d`},
		{"window too long", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "--window", "60d"}, 2, "window 1440h is out of range"},
		{"no selectors", []string{"plan", "-i", inv("tor-pair")}, 2, "plan needs --maintain"},
		{"unknown selector", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-1c"}, 2, `"tor-1c": matches no component (did you mean "tor-1a"?)`},
		{"bad selector key", []string{"plan", "-i", inv("tor-pair"), "--maintain", "row=3"}, 2, `unknown key "row"`},
		{"bad glob", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-[", "-o", "json"}, 2, "bad glob"},
		{"negative max batch", []string{"plan", "-i", inv("tor-pair"), "--maintain", "tor-*", "--max-batch", "-1"}, 2, "--max-batch -1"},
		{"missing observations", []string{"plan", "-i", inv("repair"), "--maintain", "pdu-a", "--observations", "nope.json"}, 2, "nope.json"},
		{"missing inventory", []string{"plan", "-i", "nope.yaml", "--maintain", "x"}, 2, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tc.out) {
				t.Errorf("output lacks %q:\n%s\n%s", tc.out, out, errOut)
			}
		})
	}
}

var (
	docYAML    = regexp.MustCompile("(?s)```yaml\n(.*?)```")
	docJSON    = regexp.MustCompile("(?s)```json\n(.*?)```")
	docConsole = regexp.MustCompile("(?s)```console\n\\$ (faultline [^\n]*)\n(.*?)```")
)

// TestPlanDocExample runs the example of docs/plan.md: its inventory, its
// observations file and each command, comparing the output printed there.
func TestPlanDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	inv, obs := docYAML.FindSubmatch(doc), docJSON.FindSubmatch(doc)
	runs := docConsole.FindAllSubmatch(doc, -1)
	if inv == nil || obs == nil || len(runs) < 2 {
		t.Fatalf("docs/plan.md: want a yaml and a json example and console runs; found yaml %v, json %v, %d runs", inv != nil, obs != nil, len(runs))
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"inventory.yaml": inv[1], "observations.json": obs[1]} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("BMC_PASSWORD", "unused")
	for _, m := range runs {
		var args []string
		for _, a := range strings.Fields(string(m[1]))[1:] {
			args = append(args, strings.Trim(a, "'"))
		}
		_, out, errOut := cli(t, args...)
		if diff := cmp.Diff(string(m[2]), out); diff != "" {
			t.Errorf("%s (-docs +got):\n%s\n%s", m[1], diff, errOut)
		}
	}
}
