package report

import (
	"strings"
	"testing"
)

// TestWriteGitHubCommand: values are escaped as the Actions runner
// expects, so a message cannot end the command early or forge another.
func TestWriteGitHubCommand(t *testing.T) {
	cases := []struct {
		level string
		a     Annotation
		msg   string
		want  string
	}{
		{"error", Annotation{File: "inventory.yaml", Line: 12, Col: 5, Title: "faultline spof mail (introduced)"}, "mail goes down",
			"::error file=inventory.yaml,line=12,col=5,title=faultline spof mail (introduced)::mail goes down\n"},
		{"notice", Annotation{File: "dc/inv.yaml"}, "gone", "::notice file=dc/inv.yaml::gone\n"},
		{"warning", Annotation{Title: "a: b, c"}, "100% sure\r\n::error::forged", "::warning title=a%3A b%2C c::100%25 sure%0D%0A::error::forged\n"},
		{"error", Annotation{File: "a,b:c.yaml", Line: 3}, "x", "::error file=a%2Cb%3Ac.yaml,line=3::x\n"},
	}
	for _, tc := range cases {
		var b strings.Builder
		WriteGitHubCommand(&b, tc.level, tc.a, tc.msg)
		if b.String() != tc.want {
			t.Errorf("got  %q\nwant %q", b.String(), tc.want)
		}
		if strings.Count(b.String(), "\n") != 1 {
			t.Errorf("%q is not one line", b.String())
		}
	}
}
