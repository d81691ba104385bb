package report

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/report/picture"
)

// HTMLOptions describe the report page around the findings.
type HTMLOptions struct {
	// Title heads the page; "Redundancy report" when empty.
	Title string
	// Inventory names the inventory file that was audited, as people know it.
	Inventory string
	// GeneratedAt is when the audit ran; the report's GeneratedAt when zero.
	GeneratedAt time.Time
	// Note is one line of context, e.g. "live: 12 of 14 devices collected".
	Note string
	// MaxDevices is the largest inventory drawn in full (see
	// picture.Options); zero means picture.DefaultMaxDevices.
	MaxDevices int

	// WhatIfAction, when set, puts the what-if workbench on the page: a
	// form that GETs this URL (the served page itself, "/report") with
	// ?fail=ID,…, and a script that asks /api/v1/whatif and /api/v1/plan
	// next to it as components are clicked. Empty for a page written to a
	// file (audit -o html), which has no server to ask.
	WhatIfAction string
	// Fail and WhatIf are the question and answer of a page asked with
	// ?fail=: the answer is rendered into the page, so that a pasted link
	// shows it without the script.
	Fail   []string
	WhatIf *audit.WhatIf
	// WhatIfError says why a ?fail= question has no answer (an unknown
	// id, with a suggestion).
	WhatIfError string
}

//go:embed html/page.tmpl html/page.css html/page.js html/whatif.js
var pageFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(pageFiles, "html/page.tmpl"))

// pageCSS and pageJS are our own files, inlined into every page;
// whatifJS only into served pages, which have the what-if workbench.
var pageCSS, pageJS, whatifJS = mustRead("html/page.css"), mustRead("html/page.js"), mustRead("html/whatif.js")

func mustRead(name string) string {
	b, err := pageFiles.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	return string(b)
}

// HTML writes the human report page: one self-contained HTML document
// (inline style, inline SVG, a small optional script; no external assets)
// with a summary, the findings grouped by severity, and a picture of the
// power chain and network in which the causes of findings are marked and
// each finding links to its causes' places. g must be the graph r was
// audited from. The page is written in one piece, or not at all.
func HTML(w io.Writer, g *model.Graph, r *audit.Report, opts HTMLOptions) error {
	if g == nil || r == nil {
		return errors.New("report: html: a graph and a report are required")
	}
	pic := picture.New(g, r, picture.Options{MaxDevices: opts.MaxDevices})
	v, err := newPage(g, r, pic, opts)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, v); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: html: writing the page: %w", err)
	}
	return nil
}
