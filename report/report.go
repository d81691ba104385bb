// Package report renders audit results for people and machines: a table
// for terminals (readable at 80 columns), JSON (the findings contract) and
// Markdown (for change tickets). The HTML report page lives in html.go.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/escape"
)

// Format is an output format.
type Format string

// The formats.
const (
	Table    Format = "table"
	JSON     Format = "json"
	Markdown Format = "markdown"
	// HTMLPage is the report page ("-o html"); it needs the fault graph,
	// so it is rendered by HTML, not Audit.
	HTMLPage Format = "html"
)

// ParseFormat checks a -o value.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case Table, JSON, Markdown, HTMLPage:
		return Format(s), nil
	case "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("unknown output format %q: use table, json, markdown or html", s)
}

// Width is the table's line width.
const Width = 80

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Audit renders an audit report; title names what was audited.
func Audit(w io.Writer, f Format, title string, r *audit.Report) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case Markdown:
		return auditMarkdown(w, title, r)
	case HTMLPage:
		return errors.New("report: the html page needs the fault graph: render it with report.HTML")
	}
	return auditTable(w, title, r)
}

func summaryLine(s audit.Summary) string {
	parts := []string{plural(s.Critical, "critical"), plural(s.Warning, "warning")}
	if s.Info > 0 {
		parts = append(parts, plural(s.Info, "info"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if what == "warning" && n != 1 {
		return fmt.Sprintf("%d warnings", n)
	}
	return fmt.Sprintf("%d %s", n, what)
}

var severities = []audit.Severity{audit.Critical, audit.Warning, audit.Info}

func auditTable(w io.Writer, title string, r *audit.Report) error {
	tw := &textWriter{w: w}
	tw.line(fmt.Sprintf("%s: %s", title, summaryLine(r.Summary)))
	tableReliability(tw, r.Reliability)
	if len(r.Findings) == 0 {
		tw.line("no findings")
		return tw.err
	}
	for _, sev := range severities {
		var fs []audit.Finding
		for _, f := range r.Findings {
			if f.Severity == sev {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		tw.line("")
		tw.line(fmt.Sprintf("%s (%d)", strings.ToUpper(string(sev)), len(fs)))
		for _, f := range fs {
			tableFinding(tw, f)
		}
	}
	return tw.err
}

func tableFinding(tw *textWriter, f audit.Finding) {
	tw.line("")
	tw.wrap("  ", "  ", fmt.Sprintf("%s  %s", f.Rule, f.Subject))
	tw.wrap("    ", "    ", f.Message)
	if len(f.Causes) > 1 {
		tw.wrap("    causes: ", "            ", strings.Join(f.Causes, ", "))
	}
	for i, e := range f.Evidence {
		if i == 6 && len(f.Evidence) > 7 {
			tw.wrap("    ", "    ", fmt.Sprintf("… %d more", len(f.Evidence)-6))
			break
		}
		tw.wrap("    | ", "    |   ", e)
	}
	if f.Remediation != "" {
		tw.wrap("    fix: ", "         ", f.Remediation)
	}
	if f.DowntimeMinutesPerYear != nil {
		tw.wrap("    ", "    ", "accounts for "+Downtime(*f.DowntimeMinutesPerYear)+" of expected downtime")
	}
	if f.FirstSeen != nil {
		tw.wrap("    ", "    ", "open since "+f.FirstSeen.UTC().Format("2006-01-02 15:04 MST"))
	}
}

// textWriter writes lines wrapped at Width, remembering the first error.
type textWriter struct {
	w   io.Writer
	err error
}

// line writes one line, with escape.Line: text from devices and
// inventories reaches a terminal without control characters or escape
// sequences, never breaks the line, and never starts a CI runner's
// workflow command.
func (t *textWriter) line(s string) {
	if t.err == nil {
		_, t.err = io.WriteString(t.w, escape.Line(s)+"\n")
	}
}

// wrap writes text word-wrapped, the first line after first, the rest
// after rest.
func (t *textWriter) wrap(first, rest, text string) {
	prefix := first
	var cur strings.Builder
	cur.WriteString(prefix)
	n := len([]rune(prefix))
	empty := true
	for _, word := range strings.Fields(text) {
		wl := len([]rune(word))
		if !empty && n+1+wl > Width {
			t.line(cur.String())
			cur.Reset()
			prefix = rest
			cur.WriteString(prefix)
			n = len([]rune(prefix))
			empty = true
		}
		if !empty {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wl
		empty = false
	}
	t.line(cur.String())
}

func auditMarkdown(w io.Writer, title string, r *audit.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s.\n", mdEscape(title), summaryLine(r.Summary))
	mdReliability(&b, r.Reliability)
	for _, sev := range severities {
		first := true
		for _, f := range r.Findings {
			if f.Severity != sev {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n### %s\n\n", strings.ToUpper(string(sev[:1]))+string(sev[1:]))
				first = false
			}
			mdFinding(&b, f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdFinding(b *strings.Builder, f audit.Finding) {
	fmt.Fprintf(b, "- **%s** %s — %s\n", mdEscape(f.Rule), mdCode(f.Subject), mdEscape(f.Message))
	if len(f.Causes) > 1 {
		fmt.Fprintf(b, "  - causes: %s\n", codeList(f.Causes))
	}
	for _, e := range f.Evidence {
		fmt.Fprintf(b, "  - %s\n", mdCode(e))
	}
	if f.Remediation != "" {
		fmt.Fprintf(b, "  - *fix:* %s\n", mdEscape(f.Remediation))
	}
	if f.DowntimeMinutesPerYear != nil {
		fmt.Fprintf(b, "  - *accounts for:* %s of expected downtime\n", Downtime(*f.DowntimeMinutesPerYear))
	}
	fmt.Fprintf(b, "  - id: %s\n", mdCode(f.ID))
}

// codeList is xs as comma-separated code spans.
func codeList(xs []string) string {
	return strings.Join(wrapCode(xs), ", ")
}

// wrapCode makes each of xs a code span.
func wrapCode(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = mdCode(x)
	}
	return out
}

// Every Markdown writer quotes text through these two: mdEscape for text,
// mdCode for ids and evidence as code spans (see package escape).

// mdEscape makes text inert Markdown on one line.
func mdEscape(s string) string { return escape.Markdown(s) }

// mdCode makes text a code span, fences included.
func mdCode(s string) string { return escape.MarkdownCode(s) }
