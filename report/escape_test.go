package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/plan"
)

// hostile is what a device can report as an LLDP neighbour name or a
// part id (issue 18, trick 7): a Markdown heading and a workflow command
// on lines of their own, a link, an image, a mention, a backtick that
// would close a code span, raw HTML, and terminal escape sequences (a
// window title, a colour, an 8-bit CSI, a bidi override).
const hostile = "evil\n## heading\n::error::x [x](http://evil) ![i](http://evil) @org/team ` <script>alert(1)</script> \x1b]0;owned\x07\x1b[31mred\u009b2J\u202eeviL\r\n::warning::y"

func hostileReports() (*audit.Report, *audit.Diff, *plan.Plan, *audit.WhatIf) {
	f := audit.Finding{ID: "drift/" + hostile, Rule: "drift", Severity: audit.Critical, Subject: "db-1`" + hostile,
		Causes: []string{hostile, "sw-1`"}, Message: "the neighbour seen is " + hostile,
		Evidence: []string{"port id " + hostile, "``" + hostile}, Remediation: "trace " + hostile}
	r := &audit.Report{Summary: audit.Summary{Critical: 1}, Findings: []audit.Finding{f}}
	c := audit.Change{Rule: f.Rule, Subject: f.Subject, Severity: f.Severity, Findings: []audit.Finding{f, f, f}}
	changed := c
	changed.CausesAdded, changed.CausesRemoved = []string{hostile}, []string{"x`" + hostile}
	before, after := 3.0, 126.0
	d := &audit.Diff{Introduced: []audit.Change{c}, Changed: []audit.Change{changed}, Resolved: []audit.Change{c, c, c, c, c, c},
		Downtime: []audit.ServiceDowntime{{ID: hostile, Before: &before, After: &after}, {ID: "`" + hostile, After: &after}, {ID: hostile + "|x", Before: &before}}}
	imp := audit.Impact{Kind: "device", ID: hostile, Why: hostile}
	p := &plan.Plan{Maintain: []string{hostile, "b"},
		Batches: []plan.Batch{{Components: []string{hostile}, Degraded: []audit.Impact{imp}, PeakLoad: []plan.PeakLoad{{ID: hostile, Watts: 10, CapacityW: 100}}}},
		Blocked: []plan.Blocked{{Component: hostile, Down: []audit.Impact{imp}, Degraded: []audit.Impact{imp}, FixFirst: []string{hostile}}}, LowerBound: 1}
	w := &audit.WhatIf{Failed: []string{hostile}, Down: []audit.Impact{imp}, Degraded: []audit.Impact{imp}, Overloaded: []audit.Impact{imp}}
	return r, d, p, w
}

// hostileWindow is a plan window's risk with the hostile text in every
// id.
func hostileWindow() *audit.PlanWindow {
	sr := audit.ServiceRisk{ID: hostile, Risk: 1e-4, Baseline: 1e-7,
		MostFrom: []audit.ComponentImportance{{Component: hostile, FussellVesely: 0.9}}}
	return &audit.PlanWindow{Window: "4h", Hours: 4, Batches: []audit.BatchRisk{{Batch: 1, Risk: 1e-4, Services: []audit.ServiceRisk{sr}}}}
}

// TestMarkdownEscapesDeviceText renders every Markdown output with the
// hostile text in every field and checks the produced text as a renderer
// would see it: no line starts a heading, a quote, a list or a workflow
// command that the report did not write itself, and outside code spans
// no link, image, raw HTML or mention survives.
func TestMarkdownEscapesDeviceText(t *testing.T) {
	r, d, p, w := hostileReports()
	outputs := map[string]func(*bytes.Buffer) error{
		"audit": func(b *bytes.Buffer) error { return Audit(b, Markdown, "faultline audit of "+hostile, r) },
		"diff": func(b *bytes.Buffer) error {
			return Diff(b, Markdown, DiffOptions{Old: "main:" + hostile, New: hostile}, d)
		},
		"plan":   func(b *bytes.Buffer) error { return Plan(b, Markdown, "plan of "+hostile, p, hostileWindow()) },
		"whatif": func(b *bytes.Buffer) error { return WhatIf(b, Markdown, w) },
	}
	for name, render := range outputs {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, "evil") {
				t.Fatalf("the hostile text is not in the output at all:\n%s", out)
			}
			checkMarkdown(t, out)
		})
	}
}

func checkMarkdown(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || r == '\u202e') {
			t.Errorf("raw control character %U in\n%s", r, out)
		}
	}
	for i, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case strings.HasPrefix(trimmed, "::"):
			t.Errorf("line %d is a workflow command: %q", i+1, line)
		case strings.HasPrefix(trimmed, "#") && (!strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") || strings.HasPrefix(trimmed, "## heading")):
			t.Errorf("line %d is a heading the report did not write: %q", i+1, line)
		case strings.HasPrefix(trimmed, ">"), strings.HasPrefix(trimmed, "="):
			t.Errorf("line %d starts a block: %q", i+1, line)
		}
		text := withoutCodeSpans(line)
		if strings.Contains(line, "details>") {
			continue // the report's own collapsible section
		}
		for j := 0; j < len(text); j++ {
			c := text[j]
			if !strings.ContainsRune("<[]!`", rune(c)) {
				continue
			}
			n := 0
			for k := j - 1; k >= 0 && text[k] == '\\'; k-- {
				n++
			}
			if n%2 == 0 {
				t.Errorf("line %d: unescaped %q outside code spans: %q", i+1, c, line)
				break
			}
		}
		if k := strings.Index(text, "@"); k >= 0 && !strings.HasPrefix(text[k:], "@\u200b") {
			t.Errorf("line %d: a mention survives: %q", i+1, line)
		}
	}
}

// withoutCodeSpans removes the code spans of a line as CommonMark reads
// them: a backtick run up to the next run of the same length.
func withoutCodeSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' || (i > 0 && line[i-1] == '\\') {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		fence := line[i:j]
		end := -1
		for k := j; k < len(line); {
			if line[k] != '`' {
				k++
				continue
			}
			m := k
			for m < len(line) && line[m] == '`' {
				m++
			}
			if m-k == len(fence) {
				end = m
				break
			}
			k = m
		}
		if end < 0 {
			b.WriteString(fence) // no closing run: literal backticks
			i = j
			continue
		}
		i = end
	}
	return b.String()
}

// TestGitHubEscapesDeviceText: in -o github, every line of the output is
// a workflow command the report wrote (one per problem, one per service
// whose expected downtime changed) or its closing
// summary; the hostile text never starts a line.
func TestGitHubEscapesDeviceText(t *testing.T) {
	_, d, _, _ := hostileReports()
	var b bytes.Buffer
	if err := Diff(&b, GitHub, DiffOptions{Old: "main:" + hostile, New: hostile, File: "inv\n::error::x.yaml",
		Position: func(string) (int, int) { return 3, 4 }}, d); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if want := 1 + 1 + 6 + 3 + 1; len(lines) != want {
		t.Fatalf("%d lines, want %d (a command per problem and per service's downtime, and a summary):\n%s", len(lines), want, b.String())
	}
	for i, line := range lines[:len(lines)-1] {
		if !strings.HasPrefix(line, "::error file=inv%0A%3A%3Aerror%3A%3Ax.yaml,line=3,col=4,title=") && !strings.HasPrefix(line, "::notice file=inv%0A") &&
			!strings.HasPrefix(line, "::warning file=inv%0A%3A%3Aerror%3A%3Ax.yaml,line=3,col=4,title=") {
			t.Errorf("line %d is not the report's own command: %q", i+1, line)
		}
		// The properties end where the report ended them: the hostile
		// text cannot close them early and start the message itself.
		props, _, _ := strings.Cut(line[2:], "::")
		if !strings.HasSuffix(props, "(introduced)") && !strings.HasSuffix(props, "(still open%2C causes changed)") && !strings.HasSuffix(props, "(resolved)") && !strings.HasSuffix(props, "(per year)") {
			t.Errorf("line %d: the properties end early: %q", i+1, props)
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "faultline diff main:evil ## heading ::error::x") {
		t.Errorf("summary line: %q", last)
	}
	if strings.ContainsAny(b.String(), "\x1b\a\r\u009b\u202e") {
		t.Errorf("control characters in:\n%q", b.String())
	}
}

// TestTerminalEscapesDeviceText: every table output is free of control
// characters and escape sequences, and the hostile text stays on its
// lines.
func TestTerminalEscapesDeviceText(t *testing.T) {
	r, d, p, w := hostileReports()
	outputs := map[string]func(*bytes.Buffer) error{
		"audit": func(b *bytes.Buffer) error { return Audit(b, Table, "faultline audit of "+hostile, r) },
		"diff": func(b *bytes.Buffer) error {
			return Diff(b, Table, DiffOptions{Old: "main:" + hostile, New: hostile}, d)
		},
		"plan":   func(b *bytes.Buffer) error { return Plan(b, Table, "plan of "+hostile, p, hostileWindow()) },
		"whatif": func(b *bytes.Buffer) error { return WhatIf(b, Table, w) },
	}
	for name, render := range outputs {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, r := range out {
				if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
					t.Fatalf("%U reaches the terminal:\n%q", r, out)
				}
			}
			for i, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.HasPrefix(strings.TrimSpace(line), "##[") {
					t.Errorf("line %d is a workflow command: %q", i+1, line)
				}
			}
			if strings.Contains(out, "owned") {
				t.Errorf("the window-title sequence's text survives:\n%s", out)
			}
		})
	}
}

// TestEscapingDocExample: the example in docs/report.md is what
// mdEscape writes.
func TestEscapingDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Text from devices and inventories")
	_, block, ok2 := strings.Cut(section, "```text\n")
	block, _, ok3 := strings.Cut(block, "\n```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/report.md lacks the escaping example")
	}
	if got := mdEscape("evil\n## heading\n::error::x [x](http://evil) @org/team"); got != block {
		t.Errorf("docs/report.md shows\n%q\nmdEscape writes\n%q", block, got)
	}
}
