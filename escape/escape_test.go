package escape

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "pdu-r01-a PSU1", "pdu-r01-a PSU1"},
		{"unicode kept", "Salle Électrique – 1", "Salle Électrique – 1"},
		{"CSI colour", "a\x1b[31;1mred\x1b[0m b", "ared b"},
		{"CSI cursor and erase", "x\x1b[2J\x1b[H\x1b[1Ay", "xy"},
		{"OSC title BEL", "a\x1b]0;owned\x07b", "ab"},
		{"OSC hyperlink ST", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"C1 CSI", "a\u009b31mb", "ab"},
		{"C1 OSC to C1 ST", "a\u009d0;t\u009cb", "ab"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"two-character escape", "a\x1bcb", "ab"},
		{"escape at the end", "a\x1b", "a"},
		{"unterminated OSC", "a\x1b]0;title", "a"},
		{"bidi override", "user\u202egnp.exe", "usergnp.exe"},
		{"bidi isolates", "a\u2066b\u2069c", "abc"},
		{"zero width", "co\u200bre\u200d-1\ufeff", "core-1"},
		{"newlines and tabs", "a\nb\r\nc\td", "a b  c d"},
		{"line separator", "a\u2028b", "a b"},
		{"other controls", "a\x00b\x07c\x7fd\u0085e", "abcd e"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"backspace", "secret\b\b\b\b\b\bpublic", "secretpublic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Terminal(tc.in); got != tc.want {
				t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  fix: x", "  fix: x"},
		{"::error::x", `\::error::x`},
		{"      ::warning::y", `      \::warning::y`},
		{"##[error]x", `\##[error]x`},
		{"## heading", "## heading"},
		{"\x1b[31m::x", `\::x`},
	}
	for _, tc := range cases {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	cases := []struct{ in, want string }{
		{"pdu-r1-b", `"pdu-r1-b"`},
		{"", `""`},
		{strings.Repeat("é", 40), `"` + strings.Repeat("é", 40) + `"`},
		{strings.Repeat("é", 41), `"` + strings.Repeat("é", 40) + `…"`},
		{"-----BEGIN EC PRIV" + "ATE KEY-----\nMHcCAQEEIBJ2secret\n-----END", `"-----BEGIN EC PRIV` + `ATE KEY----- MHcCAQEEI…"`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"x\x1b[2Jy\u202ez", `"xyz"`},
	}
	for _, tc := range cases {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestGitHub(t *testing.T) {
	cases := []struct{ name, in, data, prop string }{
		{"plain", "spof web", "spof web", "spof web"},
		{"percent", "100%", "100%25", "100%25"},
		{"newline command", "x\n::error::pwned", "x%0A::error::pwned", "x%0A%3A%3Aerror%3A%3Apwned"},
		{"CR LF", "a\r\nb\rc", "a%0D%0Ab%0Dc", "a%0D%0Ab%0Dc"},
		{"comma colon", "a,b:c", "a,b:c", "a%2Cb%3Ac"},
		{"ANSI", "a\x1b[31mb", "ab", "ab"},
		{"stop-commands", "\n::stop-commands::x", "%0A::stop-commands::x", "%0A%3A%3Astop-commands%3A%3Ax"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := GitHubData(tc.in); got != tc.data {
				t.Errorf("GitHubData(%q) = %q, want %q", tc.in, got, tc.data)
			}
			if got := GitHubProperty(tc.in); got != tc.prop {
				t.Errorf("GitHubProperty(%q) = %q, want %q", tc.in, got, tc.prop)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain words", "service web goes down if feed-a fails", "service web goes down if feed-a fails"},
		{"heading after a newline", "x\n## heading", `x \#\# heading`},
		{"heading first", "# h", `\# h`},
		{"workflow command", "::error::x", `\::error::x`},
		{"link", "[x](http://evil)", `\[x\](http://evil)`},
		{"image", "![i](http://evil)", `\!\[i\](http://evil)`},
		{"mention", "@org/team", "@\u200borg/team"},
		{"html", "<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"entity", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"emphasis and code", "*a* _b_ `c` ~~d~~", "\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~"},
		{"list number", "12. item", `12\. item`},
		{"list marker", "- item", `\- item`},
		{"quote", "> q", `\> q`},
		{"table cell", "a|b", `a\|b`},
		{"backslash", `a\`, `a\\`},
		{"leading spaces", "    code", "code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Markdown(tc.in); got != tc.want {
				t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarkdownCode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"db-1", "`db-1`"},
		{"a`b", "``a`b``"},
		{"a``b`", "``` a``b` ```"},
		{"`x", "`` `x ``"},
		{"x\n## h\n<b>", "`x ## h <b>`"},
		{" ", "`\" \"`"},
		{"", "`\"\"`"},
	}
	for _, tc := range cases {
		if got := MarkdownCode(tc.in); got != tc.want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hostile are inputs for the fuzz targets' seeds and the properties.
var hostile = []string{
	"",
	"plain",
	"x\n## heading\n::error::x",
	"[x](http://evil) ![i](http://evil) @org/team ` <script>alert(1)</script>",
	"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\x1b[2J\u009b31m\u202e",
	"a\r\n::stop-commands::tok\r\n%0A::error::y",
	"\xff\xfe\x00\x07",
	"````",
	"1) - + * > # = | ~ : ,",
}

// checkTerminal is the property of Terminal's output: no control
// character, escape introducer or invisible formatting character, and
// valid UTF-8.
func checkTerminal(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Terminal(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if unicode.IsControl(r) || invisible(r) {
			t.Fatalf("Terminal(%q) = %q holds %U", in, out, r)
		}
	}
}

// checkLines: no line of s starts a workflow command, a heading, a block
// quote, a list, a fence or raw HTML, and s holds no raw control
// character but newlines.
func checkLines(t *testing.T, what, in, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || (invisible(r) && r != '\u200b')) {
			t.Fatalf("%s(%q) = %q holds %U", what, in, out, r)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if strings.HasPrefix(trimmed, "```") && !strings.Contains(strings.TrimLeft(trimmed, "`"), "`") {
			// A backtick fence opens a code block only when no backtick
			// follows it on its line.
			t.Fatalf("%s(%q) = %q has a line opening a code block", what, in, out)
		}
		for _, p := range []string{"::", "#", ">", "- ", "+ ", "* ", "~~~", "<", "="} {
			if strings.HasPrefix(trimmed, p) {
				t.Fatalf("%s(%q) = %q has a line starting with %q", what, in, out, p)
			}
		}
	}
}

func TestEscapeProperties(t *testing.T) {
	for _, in := range hostile {
		checkTerminal(t, in, Terminal(in))
		checkLines(t, "Markdown", in, Markdown(in))
		checkLines(t, "MarkdownCode", in, MarkdownCode(in))
		checkTerminal(t, in, GitHubData(in))
		if p := Prefix(in); utf8.RuneCountInString(p) > MaxQuoted+1 {
			t.Errorf("Prefix(%q) = %q: longer than %d runes and …", in, p, MaxQuoted)
		}
	}
}
