// Package escape makes text that comes from outside — device answers,
// inventory files, observation files, other servers — safe for the medium
// it is printed in. There is one function per medium, and every writer of
// that medium uses it:
//
//   - Terminal: a terminal or a log file (tables, error messages).
//   - Quote: a value quoted inside an error message — short and sanitized.
//   - Markdown and MarkdownCode: Markdown for pull request comments and
//     change tickets (CommonMark as GitHub renders it).
//   - GitHubData and GitHubProperty: GitHub Actions workflow commands.
//
// None of them fails: bad input (invalid UTF-8, escape sequences, control
// characters) comes out inert, never as an error or a panic.
package escape

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuoted is the most runes of a value that Quote keeps.
const MaxQuoted = 40

// Terminal returns s fit for a terminal, on one line: escape sequences
// (ANSI CSI such as colours and cursor moves, OSC such as window titles
// and hyperlinks, DCS, and their 8-bit C1 forms) are removed whole; other
// control characters and bidirectional or invisible formatting characters
// (which can make text read differently from what it is) are removed;
// line breaks and tabs become spaces; invalid UTF-8 becomes U+FFFD.
func Terminal(s string) string {
	if clean(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	sanitize(&b, s, false, -1)
	return b.String()
}

// Line returns s as Terminal does, fit to be a whole line of output that a
// CI runner may read: GitHub Actions takes a line that starts with "::"
// (after leading spaces) as a workflow command, and "##[" as a legacy
// one, so a backslash is put before such a start. Wrapped text can bring
// any word to the start of a line; every line of human output goes
// through Line.
func Line(s string) string {
	s = Terminal(s)
	rest := strings.TrimLeft(s, " ")
	if strings.HasPrefix(rest, "::") || strings.HasPrefix(rest, "##[") {
		i := len(s) - len(rest)
		return s[:i] + "\\" + rest
	}
	return s
}

// Quote returns s as an error message quotes a value: sanitized as by
// Terminal, at most MaxQuoted runes ("…" marks a cut), in double quotes.
// Messages never hold more of a value than this: the value may be a
// secret read by mistake (a key file given as the inventory).
func Quote(s string) string { return strconv.Quote(Prefix(s)) }

// Prefix is Quote without the quotes: s sanitized as by Terminal, cut to
// MaxQuoted runes with "…" at the end when it was longer.
func Prefix(s string) string {
	var b strings.Builder
	if sanitize(&b, s, false, MaxQuoted) {
		b.WriteString("…")
	}
	return b.String()
}

// GitHubData escapes the message of a workflow command (what follows
// "::error …::"): control characters and escape sequences are removed, and
// %, CR and LF are percent-encoded as the runner expects, so that the
// message stays one line and cannot start a command of its own.
func GitHubData(s string) string {
	return ghData.Replace(sanitizeKeepNewlines(s))
}

// GitHubProperty escapes a property value of a workflow command (file=,
// title=): as GitHubData, and ":" and "," too.
func GitHubProperty(s string) string {
	return ghProperty.Replace(sanitizeKeepNewlines(s))
}

var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

// sanitizeKeepNewlines is Terminal, except that CR and LF are kept for the
// caller to encode.
func sanitizeKeepNewlines(s string) string {
	if clean(s, true) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	sanitize(&b, s, true, -1)
	return b.String()
}

// clean reports whether s needs no change by sanitize.
func clean(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return cleanSlow(s[i:])
		}
		if c < 0x20 || c == 0x7f {
			if !(keepNewlines && (c == '\n' || c == '\r')) {
				return false
			}
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r) {
			return false
		}
	}
	return true
}

// invisible reports format characters (bidirectional overrides and
// isolates, zero-width characters, the byte order mark, …) and line or
// paragraph separators.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// sanitize writes s to b as Terminal describes, stopping after max runes
// (max < 0: no limit); it reports whether it stopped early.
func sanitize(b *strings.Builder, s string, keepNewlines bool, max int) bool {
	n := 0
	space := func() bool {
		if max >= 0 && n >= max {
			return false
		}
		b.WriteByte(' ')
		n++
		return true
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = unicode.ReplacementChar
		}
		switch {
		case r == 0x1b: // ESC: skip the sequence it starts
			i = skipEscape(s, i+size)
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(s, i+size)
			continue
		case (r == '\n' || r == '\r') && keepNewlines:
			if max >= 0 && n >= max {
				return true
			}
			b.WriteRune(r)
			n++
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == '\u2028' || r == '\u2029' || r == 0x85:
			if !space() {
				return true
			}
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r):
			// dropped
		default:
			if max >= 0 && n >= max {
				return true
			}
			b.WriteRune(r)
			n++
		}
		i += size
	}
	return false
}

// skipEscape returns the index after the escape sequence whose ESC ends
// just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: a string to ST or BEL
		return skipString(s, i+1)
	}
	// A two-character sequence (ESC c, ESC 7, ESC ( B takes one more, which
	// then stands as plain text: harmless).
	_, size := utf8.DecodeRuneInString(s[i:])
	return i + size
}

// skipCSI skips parameter and intermediate bytes up to and including the
// final byte (0x40–0x7e).
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c < 0x20 || c >= 0x7f:
			// not a parameter (0x30–0x3f) or intermediate (0x20–0x2f)
			// byte: the sequence is malformed and ends before it.
			return i
		}
		i++
	}
	return i
}

// skipString skips a control string up to and including its terminator:
// BEL, ST (ESC \) or C1 ST (U+009C).
func skipString(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x07 || r == 0x9c:
			return i + size
		case r == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		}
		i += size
	}
	return i
}
