package inventory

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a diagnostic stops the inventory from loading.
type Severity int

// The severities.
const (
	SevError Severity = iota
	SevWarning
)

// Diagnostic is one problem found in an inventory file, with its position.
type Diagnostic struct {
	File     string
	Pos      Pos
	Severity Severity
	Message  string
	// Hint says how to fix it, when there is an obvious way ("did you mean …?").
	Hint string
}

// String formats the diagnostic as FILE:LINE:COL: message; hint.
func (d Diagnostic) String() string {
	var b strings.Builder
	file := d.File
	if file == "" {
		file = "<input>"
	}
	b.WriteString(file)
	if d.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	b.WriteString(": ")
	if d.Severity == SevWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems, kept in file order.
type Diagnostics []Diagnostic

func (ds Diagnostics) sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Error is returned by Load and Parse when an inventory is invalid. It holds
// every problem found, not only the first.
type Error struct {
	Diagnostics Diagnostics
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// reporter collects diagnostics for one file.
type reporter struct {
	file  string
	diags Diagnostics
	// files names the files of an inventory in several files, by Pos.File.
	files []string
}

// fileOf names the file a position is in.
func (r *reporter) fileOf(p Pos) string {
	if p.File > 0 && int(p.File) < len(r.files) {
		return r.files[p.File]
	}
	return r.file
}

// at says where p is for a message about another position: "line N", or
// "FILE line N" when it is in another file than other.
func (r *reporter) at(p, other Pos) string {
	if p.File != other.File {
		return fmt.Sprintf("%s line %d", r.fileOf(p), p.Line)
	}
	return fmt.Sprintf("line %d", p.Line)
}

func (r *reporter) errorf(p Pos, hint string, format string, args ...any) {
	r.diags = append(r.diags, Diagnostic{File: r.fileOf(p), Pos: p, Severity: SevError, Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (r *reporter) warnf(p Pos, hint string, format string, args ...any) {
	r.diags = append(r.diags, Diagnostic{File: r.fileOf(p), Pos: p, Severity: SevWarning, Message: fmt.Sprintf(format, args...), Hint: hint})
}
