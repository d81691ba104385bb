package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/escape"
)

// Annotation places a GitHub Actions workflow command on a file's line.
// A zero Line annotates the file as a whole.
type Annotation struct {
	File      string
	Line, Col int
	Title     string
}

// WriteGitHubCommand writes one workflow command ("::error file=…,line=…,
// col=…,title=…::message"), escaped as the runner expects: message text
// keeps newlines as %0A, and property values also escape ":" and ","
// (escape.GitHubData and escape.GitHubProperty, which also remove control
// characters and escape sequences), so that no text from an inventory or
// a device can end the command or start one of its own.
// level is error, warning or notice.
func WriteGitHubCommand(w io.Writer, level string, a Annotation, message string) {
	var props []string
	if a.File != "" {
		props = append(props, "file="+ghProperty(a.File))
		if a.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.Line))
			if a.Col > 0 {
				props = append(props, fmt.Sprintf("col=%d", a.Col))
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+ghProperty(a.Title))
	}
	cmd := "::" + level
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	fmt.Fprintf(w, "%s::%s\n", cmd, ghData(message))
}

func ghData(s string) string     { return escape.GitHubData(s) }
func ghProperty(s string) string { return escape.GitHubProperty(s) }
