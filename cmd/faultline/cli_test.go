package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/faultline/faultline/audit"
)

const (
	repoInventory = "../../inventory.yaml"
	diffData      = "../../report/testdata/diff/"
)

// TestConventions pins the CLI contract (DESIGN, CLI) for the commands
// that read inventories: the file as -i or as the one argument, flags
// before or after it, and exit 2 with a message — never a silent
// fall-back — for a missing file, two files, or both forms at once.
func TestConventions(t *testing.T) {
	invalid := filepath.Join("..", "..", "inventory", "testdata", "invalid", "dangling-pdu.yaml")
	cases := []struct {
		name string
		args []string
		code int
		want []string // substrings of stdout+stderr
		lack string   // must not appear
	}{
		// validate
		{"validate: the file as argument", []string{"validate", repoInventory}, 0, []string{repoInventory + ": ok: 2 sites"}, ""},
		{"validate: an invalid argument is not replaced by the default", []string{"validate", invalid}, 2, []string{`unknown pdu "pdu-r1-b"`}, "inventory.yaml: ok"},
		{"validate: flags after the argument", []string{"validate", invalid, "-o", "github"}, 2, []string{"::error file=", "line=", "col=", "pdu-r1-b"}, ""},
		{"validate: missing file", []string{"validate", "/no/such/file.yaml"}, 2, []string{"/no/such/file.yaml: no such file"}, "ok:"},
		{"validate: no file at all says which it reads", []string{"validate", "--strict"}, 2, []string{"no inventory given (-i FILE or the argument): reading ./inventory.yaml", "inventory.yaml: no such file"}, ""},
		{"validate: two files", []string{"validate", repoInventory, invalid}, 2, []string{"one inventory file, got 2 arguments"}, "ok:"},
		{"validate: -i and an argument", []string{"validate", "-i", repoInventory, invalid}, 2, []string{"the inventory twice"}, "ok:"},
		{"validate: -- ends the flags", []string{"validate", "--", "-i"}, 2, []string{"-i: no such file"}, ""},
		{"validate: unknown flag after the argument", []string{"validate", repoInventory, "--frobnicate"}, 2, []string{"flag provided but not defined: -frobnicate", "faultline validate -h"}, "ok:"},
		// audit
		{"audit: the file as argument", []string{"audit", repoInventory, "-o", "json"}, 1, []string{`"rule": "spof"`}, ""},
		{"audit: flags on both sides", []string{"audit", "-o", "table", diffData + "feeds-two.yaml", "--fail-on", "warning"}, 1, []string{"faultline audit of " + diffData + "feeds-two.yaml"}, ""},
		{"audit: missing file", []string{"audit", "nope.yaml"}, 2, []string{"nope.yaml: no such file"}, ""},
		{"audit: two files", []string{"audit", repoInventory, repoInventory}, 2, []string{"one inventory file"}, ""},
		{"audit: missing observations", []string{"audit", repoInventory, "--observations", "nope.json"}, 2, []string{"--observations nope.json: no such file"}, ""},
		{"audit: both sources of observations", []string{"audit", repoInventory, "--observations", "a.json", "--live", "http://127.0.0.1:1"}, 2, []string{"use one source"}, ""},
		{"audit: a bad --live URL", []string{"audit", repoInventory, "--live", "127.0.0.1:8080"}, 2, []string{"want the URL of a running faultline serve"}, ""},
		// whatif
		{"whatif: the file as argument, flags after", []string{"whatif", repoInventory, "--fail", "feed-a", "-o", "table"}, 1, []string{"GOES DOWN"}, ""},
		{"whatif: flags before", []string{"whatif", "--fail", "pdu-r02-a", "-o", "table", repoInventory}, 0, []string{"what if pdu-r02-a fails"}, ""},
		{"whatif: missing file", []string{"whatif", "nope.yaml", "--fail", "feed-a"}, 2, []string{"nope.yaml: no such file"}, ""},
		{"whatif: two files", []string{"whatif", repoInventory, repoInventory, "--fail", "feed-a"}, 2, []string{"one inventory file"}, ""},
		// diff
		{"diff: flags after the files", []string{"diff", diffData + "feeds-two.yaml", diffData + "db-added.yaml", "-o", "markdown"}, 1, []string{"### Introduced (1)", "spof `db`"}, ""},
		{"diff: flags before the files", []string{"diff", "-o", "table", diffData + "db-added.yaml", diffData + "feeds-two.yaml"}, 0, []string{"0 introduced, 0 changed, 1 resolved"}, ""},
		{"diff: a critical problem gains causes", []string{"diff", diffData + "feeds-two.yaml", diffData + "feeds-one.yaml", "-o", "table"}, 1, []string{"~ [critical] spof mail (still open, more causes)", "new causes: feed-a"}, ""},
		{"diff: causes removed only", []string{"diff", diffData + "feeds-one.yaml", diffData + "feeds-two.yaml", "-o", "table"}, 0, []string{"~ [critical] spof mail (still open, fewer causes)"}, "- [critical] spof mail"},
		{"diff: one file", []string{"diff", diffData + "feeds-two.yaml"}, 2, []string{"want two files"}, ""},
		{"diff: three files", []string{"diff", repoInventory, repoInventory, repoInventory}, 2, []string{"want two files", "got 3"}, ""},
		{"diff: missing file", []string{"diff", repoInventory, "nope.yaml"}, 2, []string{"nope.yaml: no such file"}, ""},
		{"diff: -i without --base", []string{"diff", "-i", repoInventory, repoInventory}, 2, []string{"-i is for diff --base"}, ""},
		{"diff: an invalid new side annotated", []string{"diff", repoInventory, invalid, "-o", "github"}, 2, []string{"::error file=", "title=faultline%3A inventory invalid"}, ""},
		// the others
		{"gen: an extra argument", []string{"gen", "fleet.yaml"}, 2, []string{`unexpected argument "fleet.yaml"`}, ""},
		{"collect: two files", []string{"collect", repoInventory, repoInventory}, 2, []string{"one inventory file"}, ""},
		{"serve: two files", []string{"serve", repoInventory, repoInventory}, 2, []string{"one inventory file"}, ""},
		{"lab: two files", []string{"lab", repoInventory, repoInventory}, 2, []string{"one inventory file"}, ""},
		{"version", []string{"version"}, 0, []string{"faultline ", "go1."}, ""},
		{"--version", []string{"--version"}, 0, []string{"faultline ", "go1."}, ""},
		{"version: an argument", []string{"version", "now"}, 2, []string{"unexpected argument"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", w, out, errOut)
				}
			}
			if tc.lack != "" && strings.Contains(out+errOut, tc.lack) {
				t.Errorf("output has %q\nstdout: %s\nstderr: %s", tc.lack, out, errOut)
			}
		})
	}
}

// TestHelp: -h on every command prints its usage with an example, on
// stdout, and exits 0.
func TestHelp(t *testing.T) {
	for name := range commands {
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}} {
			code, out, errOut := cli(t, args...)
			if code != 0 {
				t.Errorf("%v: exit %d\n%s", args, code, errOut)
			}
			if !strings.HasPrefix(out, "usage: faultline "+name) || !strings.Contains(out, "examples:\n  faultline ") {
				t.Errorf("%v: no usage with an example on stdout:\n%s", args, out)
			}
		}
	}
	if code, out, _ := cli(t, "-h"); code != 0 || !strings.Contains(out, "commands:") || !strings.Contains(out, "examples:") {
		t.Errorf("faultline -h: exit %d\n%s", code, out)
	}
	if code, _, errOut := cli(t); code != 2 || !strings.Contains(errOut, "commands:") {
		t.Errorf("faultline with no command: exit %d, want 2 with the usage\n%s", code, errOut)
	}
	for _, verb := range []string{"fault", "clear"} {
		if code, out, _ := cli(t, "lab", verb, "-h"); code != 0 || !strings.Contains(out, "examples:") {
			t.Errorf("lab %s -h: exit %d\n%s", verb, code, out)
		}
	}
}

func TestVersionLine(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"},
	}}
	cases := []struct {
		override string
		bi       *debug.BuildInfo
		ok       bool
		want     []string
	}{
		{"", bi, true, []string{"faultline v0.3.0 (go", "commit 0123abcd, modified", "2026-11-30T10:00:00Z"}},
		{"v1.2.3", bi, true, []string{"faultline v1.2.3 (go"}},
		{"", nil, false, []string{"faultline (unknown) (go"}},
	}
	for _, tc := range cases {
		got := versionLine(tc.override, tc.bi, tc.ok)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("versionLine(%q) = %q, lacks %q", tc.override, got, w)
			}
		}
	}
}

// TestDiffStillOpenIsChanged is the case on the bundled
// inventory: moving the two network racks' B PDUs back to feed-b takes
// feed-a, ups-a and ats-a out of mail's single points of failure, but mail
// still has one (mail-1 is its only member): it is changed, not resolved.
func TestDiffStillOpenIsChanged(t *testing.T) {
	src, err := os.ReadFile(repoInventory)
	if err != nil {
		t.Fatal(err)
	}
	moved := string(src)
	for _, pdu := range []string{"pdu-r01-b", "pdu-r05-b"} {
		i := strings.Index(moved, "id: "+pdu+"\n")
		j := strings.Index(moved[i:], "inputs: [feed-a]")
		if i < 0 || j < 0 {
			t.Fatalf("inventory.yaml has no %s on feed-a", pdu)
		}
		moved = moved[:i+j] + "inputs: [feed-b]" + moved[i+j+len("inputs: [feed-a]"):]
	}
	newPath := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(newPath, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "diff", repoInventory, newPath, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (nothing worse)\n%s%s", code, out, errOut)
	}
	var d audit.Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Resolved {
		if c.Rule == "spof" && c.Subject == "mail" {
			t.Errorf("spof mail listed as resolved: %s", c.Findings[0].Message)
		}
	}
	var mail *audit.Change
	for i, c := range d.Changed {
		if c.Rule == "spof" && c.Subject == "mail" {
			mail = &d.Changed[i]
		}
	}
	if mail == nil {
		t.Fatalf("spof mail is not changed:\n%s", out)
	}
	if got := strings.Join(mail.CausesRemoved, ","); got != "feed-a,ups-a,ats-a" {
		t.Errorf("mail's causes removed: %s, want feed-a,ups-a,ats-a", got)
	}
	if len(mail.CausesAdded) != 0 {
		t.Errorf("mail's causes added: %v, want none", mail.CausesAdded)
	}
	// Fewer causes, less downtime: mail no longer hangs on feed-a, ups-a
	// and ats-a, so its expected downtime falls; nothing's rises.
	for _, s := range d.Downtime {
		if s.Before == nil || s.After == nil {
			t.Errorf("%s on one side only", s.ID)
			continue
		}
		if *s.After > *s.Before*(1+1e-9) {
			t.Errorf("%s: expected downtime rises from %g to %g min/yr", s.ID, *s.Before, *s.After)
		}
		if s.ID == "mail" && !(*s.After < *s.Before && s.Changed()) {
			t.Errorf("mail: expected downtime %g → %g min/yr, want it to fall", *s.Before, *s.After)
		}
	}
	if len(d.Downtime) == 0 {
		t.Error("no service's expected downtime in the diff")
	}
	// --reliability=false: the same problems, without the figures.
	_, out, errOut = cli(t, "diff", "--reliability=false", repoInventory, newPath, "-o", "json")
	var plain audit.Diff
	if err := json.Unmarshal([]byte(out), &plain); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if plain.Downtime != nil || len(plain.Changed) != len(d.Changed) || strings.Contains(out, "downtime_minutes_per_year") {
		t.Errorf("--reliability=false: %d services' downtime, %d changed (want %d), figures in findings %v",
			len(plain.Downtime), len(plain.Changed), len(d.Changed), strings.Contains(out, "downtime_minutes_per_year"))
	}
}

// TestAuditReliabilityFlag: audit computes the figures by default (a
// reliability object beside the findings, each spof's downtime) and
// --reliability=false leaves them out, with the same findings.
func TestAuditReliabilityFlag(t *testing.T) {
	type doc struct {
		Findings []struct {
			ID       string   `json:"id"`
			Downtime *float64 `json:"downtime_minutes_per_year"`
		} `json:"findings"`
		Reliability *struct {
			Services []struct {
				ID       string  `json:"id"`
				Downtime float64 `json:"downtime_minutes_per_year"`
			} `json:"services"`
		} `json:"reliability"`
	}
	read := func(args ...string) doc {
		t.Helper()
		_, out, errOut := cli(t, append([]string{"audit", "-o", "json"}, args...)...)
		var d doc
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("audit %v: %v\n%s", args, err, errOut)
		}
		return d
	}
	with, without := read(repoInventory), read("--reliability=false", repoInventory)
	if with.Reliability == nil || len(with.Reliability.Services) == 0 {
		t.Fatal("audit: no reliability object by default")
	}
	if without.Reliability != nil {
		t.Error("audit --reliability=false: a reliability object")
	}
	if len(with.Findings) != len(without.Findings) {
		t.Fatalf("%d findings with the figures, %d without", len(with.Findings), len(without.Findings))
	}
	shares := 0
	for i := range with.Findings {
		if with.Findings[i].ID != without.Findings[i].ID {
			t.Errorf("finding %d: %s with the figures, %s without", i, with.Findings[i].ID, without.Findings[i].ID)
		}
		if with.Findings[i].Downtime != nil {
			shares++
		}
		if without.Findings[i].Downtime != nil {
			t.Errorf("%s: a downtime share without the figures", without.Findings[i].ID)
		}
	}
	if shares == 0 {
		t.Error("no finding carries its share of downtime by default")
	}
}
