package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/escape"
)

// GitHub is GitHub Actions workflow commands ("::error file=…,line=…::…"),
// which the Actions runner turns into annotations on the file's lines.
// Only diff (and validate) render it.
const GitHub Format = "github"

// DiffOptions name the two sides of a diff and place its problems in the
// new inventory.
type DiffOptions struct {
	// Old and New name the two sides: file names, or REF:PATH for a side
	// read from git.
	Old, New string
	// File is the new inventory's path as annotations name it (relative
	// to the repository's root); "" is New.
	File string
	// Position returns where an id is declared in the new inventory (1-based
	// line and column), or 0, 0 when it is not.
	Position func(id string) (line, col int)
	// FileOf, when set, names the file (as annotations name it) an id is
	// declared in, for an inventory in several files; "" falls back to File.
	FileOf func(id string) string
}

func (o DiffOptions) file() string {
	if o.File != "" {
		return o.File
	}
	return o.New
}

func (o DiffOptions) position(id string) (int, int) {
	if o.Position == nil {
		return 0, 0
	}
	return o.Position(id)
}

// Diff renders what a change to the inventory introduces, changes and
// resolves.
func Diff(w io.Writer, f Format, o DiffOptions, d *audit.Diff) error {
	switch f {
	case JSON:
		return writeJSON(w, d)
	case Markdown:
		_, err := io.WriteString(w, diffMarkdown(o, d))
		return err
	case GitHub:
		return diffGitHub(w, o, d)
	}
	return diffTable(w, o, d)
}

func diffCounts(d *audit.Diff) string {
	return fmt.Sprintf("%d introduced, %d changed, %d resolved, %d unchanged", len(d.Introduced), len(d.Changed), len(d.Resolved), d.Unchanged)
}

func diffTable(w io.Writer, o DiffOptions, d *audit.Diff) error {
	tw := &textWriter{w: w}
	tw.wrap("", "  ", fmt.Sprintf("faultline diff %s -> %s", o.Old, o.New))
	tw.wrap("", "  ", diffCounts(d))
	tableDowntime(tw, d)
	section := func(title, mark string, cs []audit.Change) {
		if len(cs) == 0 {
			return
		}
		tw.line("")
		tw.line(fmt.Sprintf("%s (%d)", title, len(cs)))
		for _, c := range cs {
			tw.line("")
			head := fmt.Sprintf("[%s] %s  %s", c.Severity, c.Rule, c.Subject)
			if title == "CHANGED" {
				head += " (" + changedWhat(c) + ")"
			}
			tw.wrap(mark, "    ", head)
			for _, f := range c.Findings {
				tw.wrap("    ", "    ", f.Message)
			}
			if title == "CHANGED" {
				if len(c.CausesAdded) > 0 {
					tw.wrap("    new causes: ", "                ", strings.Join(c.CausesAdded, ", "))
				}
				if len(c.CausesRemoved) > 0 {
					tw.wrap("    no longer:  ", "                ", strings.Join(c.CausesRemoved, ", "))
				}
			}
			if title != "RESOLVED" && c.Findings[0].Remediation != "" {
				tw.wrap("    fix: ", "         ", c.Findings[0].Remediation)
			}
		}
	}
	section("INTRODUCED", "  + ", d.Introduced)
	section("CHANGED", "  ~ ", d.Changed)
	section("RESOLVED", "  - ", d.Resolved)
	return tw.err
}

// mdInlineEvidence is how many evidence lines a PR comment shows before
// it collapses them into <details>.
const mdInlineEvidence = 2

// mdCollapseSection is how many problems a resolved section lists before
// it is collapsed.
const mdCollapseSection = 5

func diffMarkdown(o DiffOptions, d *audit.Diff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## faultline: %s → %s\n\n", mdCode(o.Old), mdCode(o.New))
	introduced, worsened := 0, 0
	for _, c := range d.Introduced {
		if c.Severity == audit.Critical {
			introduced++
		}
	}
	for _, c := range d.Changed {
		if c.Severity == audit.Critical && len(c.CausesAdded) > 0 {
			worsened++
		}
	}
	switch {
	case introduced > 0 || worsened > 0:
		var parts []string
		if introduced > 0 {
			parts = append(parts, fmt.Sprintf("introduces %s", criticalProblems(introduced)))
		}
		if worsened > 0 {
			parts = append(parts, fmt.Sprintf("gives %s more causes", criticalProblems(worsened)))
		}
		fmt.Fprintf(&b, "**This change %s.** ", strings.Join(parts, " and "))
	case len(d.Introduced) == 0 && len(d.Changed) == 0 && len(d.Resolved) == 0:
		b.WriteString("No change to the findings. ")
	default:
		b.WriteString("No critical problem introduced or worsened. ")
	}
	fmt.Fprintf(&b, "%s.\n", diffCounts(d))
	mdDowntime(&b, d)
	section := func(title string, cs []audit.Change, changed, resolved bool) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n", title, len(cs))
		collapse := resolved && len(cs) > mdCollapseSection
		if collapse {
			fmt.Fprintf(&b, "<details><summary>%d problems no longer found</summary>\n\n", len(cs))
		}
		for _, c := range cs {
			mdChange(&b, c, changed, resolved)
		}
		if collapse {
			b.WriteString("\n</details>\n")
		}
	}
	section("Introduced", d.Introduced, false, false)
	section("Changed", d.Changed, true, false)
	section("Resolved", d.Resolved, false, true)
	return b.String()
}

func mdChange(b *strings.Builder, c audit.Change, changed, resolved bool) {
	fmt.Fprintf(b, "- **%s** %s %s", c.Severity, mdEscape(c.Rule), mdCode(c.Subject))
	if changed {
		fmt.Fprintf(b, " (%s)", changedWhat(c))
	}
	if len(c.Findings) == 1 {
		fmt.Fprintf(b, " — %s\n", mdEscape(c.Findings[0].Message))
	} else {
		b.WriteString("\n")
		for _, f := range c.Findings {
			fmt.Fprintf(b, "  - %s\n", mdEscape(f.Message))
		}
	}
	if changed {
		if len(c.CausesAdded) > 0 {
			fmt.Fprintf(b, "  - new causes: %s\n", codeList(c.CausesAdded))
		}
		if len(c.CausesRemoved) > 0 {
			fmt.Fprintf(b, "  - no longer causes: %s\n", codeList(c.CausesRemoved))
		}
	}
	if resolved {
		return
	}
	var evidence []string
	for _, f := range c.Findings {
		evidence = append(evidence, f.Evidence...)
	}
	if len(evidence) > mdInlineEvidence {
		fmt.Fprintf(b, "  <details><summary>evidence (%d)</summary>\n\n", len(evidence))
		for _, e := range evidence {
			fmt.Fprintf(b, "  - %s\n", mdCode(e))
		}
		b.WriteString("\n  </details>\n\n")
	} else {
		for _, e := range evidence {
			fmt.Fprintf(b, "  - %s\n", mdCode(e))
		}
	}
	if fix := c.Findings[0].Remediation; fix != "" {
		fmt.Fprintf(b, "  - *fix:* %s\n", mdEscape(fix))
	}
}

func criticalProblems(n int) string {
	if n == 1 {
		return "a critical problem"
	}
	return fmt.Sprintf("%d critical problems", n)
}

// changedWhat says how a changed problem changed; it is still open.
func changedWhat(c audit.Change) string {
	switch {
	case len(c.CausesRemoved) == 0:
		return "still open, more causes"
	case len(c.CausesAdded) == 0:
		return "still open, fewer causes"
	}
	return "still open, causes changed"
}

// diffGitHub writes a workflow command per problem, on the line that
// declares its subject in the new inventory: introduced problems and
// problems that gain causes as errors or warnings by severity, the rest
// as notices. A closing plain line sums up for the job's log.
func diffGitHub(w io.Writer, o DiffOptions, d *audit.Diff) error {
	var b strings.Builder
	level := func(s audit.Severity) string {
		switch s {
		case audit.Critical:
			return "error"
		case audit.Warning:
			return "warning"
		}
		return "notice"
	}
	emit := func(lvl, what string, c audit.Change, extra string) {
		line, col := o.position(c.Subject)
		var msgs []string
		for _, f := range c.Findings {
			msgs = append(msgs, f.Message)
		}
		msg := strings.Join(msgs, "\n") + extra
		if fix := c.Findings[0].Remediation; fix != "" && what != "resolved" {
			msg += "\nfix: " + fix
		}
		if what == "changed" {
			what = changedWhat(c)
		}
		file := o.file()
		if o.FileOf != nil {
			if f := o.FileOf(c.Subject); f != "" {
				file = f
			}
		}
		WriteGitHubCommand(&b, lvl, Annotation{File: file, Line: line, Col: col,
			Title: fmt.Sprintf("faultline %s %s (%s)", c.Rule, c.Subject, what)}, msg)
	}
	for _, c := range d.Introduced {
		emit(level(c.Severity), "introduced", c, "")
	}
	for _, c := range d.Changed {
		var extra string
		if len(c.CausesAdded) > 0 {
			extra += "\nnew causes: " + strings.Join(c.CausesAdded, ", ")
		}
		if len(c.CausesRemoved) > 0 {
			extra += "\nno longer causes: " + strings.Join(c.CausesRemoved, ", ")
		}
		lvl := "notice"
		if len(c.CausesAdded) > 0 {
			lvl = level(c.Severity)
		}
		emit(lvl, "changed", c, extra)
	}
	for _, c := range d.Resolved {
		emit("notice", "resolved", c, "")
	}
	ghDowntime(&b, o, d)
	fmt.Fprintf(&b, "faultline diff %s -> %s: %s\n", escape.Terminal(o.Old), escape.Terminal(o.New), diffCounts(d))
	_, err := io.WriteString(w, b.String())
	return err
}
