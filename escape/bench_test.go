package escape

import (
	"strings"
	"testing"
)

var sink string

// BenchmarkEscape measures each medium's escaper on a typical finding
// message (clean ASCII: the common case, a fast path) and on hostile
// text, against a baseline that only copies the same bytes.
func BenchmarkEscape(b *testing.B) {
	clean := "service accounts-db goes down if pdu-r01-a fails: db-1 and db-2 draw only from pdu-r01-a (PSU1, PSU2)"
	bad := strings.Repeat(hostile[2], 2)
	for _, in := range []struct{ name, s string }{{"clean", clean}, {"hostile", bad}} {
		b.Run("baseline-copy/"+in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.s)))
			for i := 0; i < b.N; i++ {
				sink = strings.Clone(in.s)
			}
		})
		for _, f := range []struct {
			name string
			fn   func(string) string
		}{{"terminal", Terminal}, {"line", Line}, {"quote", Quote}, {"markdown", Markdown}, {"markdown-code", MarkdownCode}, {"github-data", GitHubData}} {
			b.Run(f.name+"/"+in.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.s)))
				for i := 0; i < b.N; i++ {
					sink = f.fn(in.s)
				}
			})
		}
	}
}
