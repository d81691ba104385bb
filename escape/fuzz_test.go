package escape

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check each medium's property on any input; the seeds
// are the hostile inputs and the committed corpus under testdata/fuzz.

func FuzzTerminal(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Terminal(in)
		checkTerminal(t, in, out)
		if Terminal(out) != out {
			t.Fatalf("Terminal is not idempotent on %q: %q then %q", in, out, Terminal(out))
		}
		line := Line(in)
		checkTerminal(t, in, line)
		if rest := strings.TrimLeft(line, " "); strings.HasPrefix(rest, "::") || strings.HasPrefix(rest, "##[") {
			t.Fatalf("Line(%q) = %q starts a workflow command", in, line)
		}
		p := Prefix(in)
		if n := utf8.RuneCountInString(p); n > MaxQuoted+1 {
			t.Fatalf("Prefix(%q) = %q: %d runes", in, p, n)
		}
		if uq, err := strconv.Unquote(Quote(in)); err != nil || uq != p {
			t.Fatalf("Quote(%q) = %s, not Prefix quoted", in, Quote(in))
		}
	})
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Markdown(in)
		checkLines(t, "Markdown", in, out)
		if strings.Contains(out, "\n") {
			t.Fatalf("Markdown(%q) = %q spans lines", in, out)
		}
		// Every markup character is escaped: an odd run of backslashes
		// precedes it.
		for i := 0; i < len(out); i++ {
			if !strings.ContainsRune("`*_[]<>&|~!#", rune(out[i])) {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && out[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				t.Fatalf("Markdown(%q) = %q: %q at %d unescaped", in, out, out[i], i)
			}
		}
		if i := strings.Index(out, "@"); i >= 0 && !strings.HasPrefix(out[i:], "@\u200b") {
			t.Fatalf("Markdown(%q) = %q: a mention survives", in, out)
		}
		code := MarkdownCode(in)
		checkLines(t, "MarkdownCode", in, code)
		fence := code[:strings.IndexFunc(code, func(r rune) bool { return r != '`' })]
		inner := code[len(fence) : len(code)-len(fence)]
		if strings.Contains(inner, fence) || !strings.HasSuffix(code, fence) {
			t.Fatalf("MarkdownCode(%q) = %q: the fence %q does not hold", in, code, fence)
		}
	})
}

func FuzzGitHub(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, out := range []string{GitHubData(in), GitHubProperty(in)} {
			if strings.ContainsAny(out, "\r\n") {
				t.Fatalf("workflow command escape of %q = %q spans lines", in, out)
			}
			checkTerminal(t, in, out)
		}
		if p := GitHubProperty(in); strings.ContainsAny(p, ":,") {
			t.Fatalf("GitHubProperty(%q) = %q keeps : or ,", in, p)
		}
	})
}
