package inventory

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/faultline/faultline/escape"
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
	b.WriteString(escape.Terminal(file))
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
	// One line, which never starts a CI runner's command (a file named
	// "::error::x.yaml" in an inventory directory).
	return escape.Line(b.String())
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
	r.diags = append(r.diags, Diagnostic{File: r.fileOf(p), Pos: p, Severity: SevError, Message: message(format, args), Hint: escape.Terminal(hint)})
}

func (r *reporter) warnf(p Pos, hint string, format string, args ...any) {
	r.diags = append(r.diags, Diagnostic{File: r.fileOf(p), Pos: p, Severity: SevWarning, Message: message(format, args), Hint: escape.Terminal(hint)})
}

// Values from the file reach messages in one way only: every string
// argument of errorf and warnf is a value, printed as a short sanitized
// prefix (escape.Quote for %q, escape.Prefix otherwise), so that a
// message holds at most escape.MaxQuoted runes of any one value from the
// file — the file may be a secret given by mistake, or by a pull
// request that replaced the inventory with a link to one. Text the
// package composes itself (describe's words, a chain of ids each cut
// already, an error that quotes its own values) is a text argument and is
// only sanitized. Hints are written with quote.

// text is a message fragment composed by this package, not a raw value.
type text string

// quote is how messages and hints quote a value from the file.
func quote(s string) string { return escape.Quote(s) }

// value prints a raw value from the file as escape.Quote or escape.Prefix.
type value string

func (v value) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprint(f, escape.Quote(string(v)))
		return
	}
	fmt.Fprint(f, escape.Prefix(string(v)))
}

func message(format string, args []any) string {
	for i, a := range args {
		switch a := a.(type) {
		case text:
			args[i] = escape.Terminal(string(a))
		case error:
			args[i] = escape.Terminal(a.Error())
		default:
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
				args[i] = value(rv.String())
			}
		}
	}
	return escape.Terminal(fmt.Sprintf(format, args...))
}

// maxSyntaxMessage bounds a YAML parser's message, which may quote part of
// the file (an anchor's name, a tag).
const maxSyntaxMessage = 160

// syntaxError is a YAML parser's error as messages may print it:
// sanitized and cut to maxSyntaxMessage runes.
func syntaxError(err error) error {
	msg := escape.Terminal(err.Error())
	if r := []rune(msg); len(r) > maxSyntaxMessage {
		msg = string(r[:maxSyntaxMessage]) + "…"
	}
	return errors.New(msg)
}

// chain joins ids as "a -> b -> c", each cut as a value.
func chain(ids []string) text {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = escape.Prefix(id)
	}
	return text(strings.Join(parts, " -> "))
}
