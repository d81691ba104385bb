package escape

import "strings"

// Markdown returns s as inert inline Markdown text: on one line (as
// Terminal), every character that can start inline markup (emphasis, code,
// links and images, raw HTML, entities, strikethrough, table cells) escaped
// with a backslash, a first character or list number that could start a
// block (heading, quote, list, rule, fence) escaped too, and "@" followed
// by a zero-width space so that GitHub mentions no one. GitHub may still
// turn a bare web address into a link; it shows the address as written.
func Markdown(s string) string {
	s = strings.TrimSpace(Terminal(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	digits := true // only digits so far: "1." or "1)" would start a list
	for i, r := range s {
		switch {
		case r == '@':
			b.WriteString("@\u200b")
		case r < 0x80 && mdInlineSet[r]:
			b.WriteByte('\\')
			b.WriteRune(r)
		case i == 0 && r < 0x80 && isPunct(byte(r)):
			b.WriteByte('\\')
			b.WriteRune(r)
		case digits && i > 0 && (r == '.' || r == ')'):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		digits = digits && r >= '0' && r <= '9'
	}
	return b.String()
}

// mdInline are the characters that start inline markup anywhere in a line
// (GitHub Flavored Markdown); "#" is among them as it also starts headings.
const mdInline = "\\`*_[]<>&|~!#"

var mdInlineSet = func() (set [0x80]bool) {
	for i := 0; i < len(mdInline); i++ {
		set[mdInline[i]] = true
	}
	return set
}()

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// MarkdownCode returns s as a Markdown code span, fences included: on one
// line (as Terminal), fenced by a run of backticks longer than any in s,
// padded with a space where s begins or ends with a backtick or a space.
// Inside it nothing is markup, HTML or a mention.
func MarkdownCode(s string) string {
	s = Terminal(s)
	if s == "" || strings.Trim(s, " ") == "" {
		// A code span of spaces only loses them; show the value quoted.
		return "`" + `"` + s + `"` + "`"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' || s[len(s)-1] == ' ' {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
