package main

import (
	"bytes"
	"fmt"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/report"
)

// reportWhatIfPage renders /report for a snapshot: the same page as
// faultline audit -o html, with the live state drawn in and the what-if
// workbench; for /report?fail=… with that question's answer (w, or why
// there is none) rendered in.
func reportWhatIfPage(s *engine.Snapshot, fail []string, w *audit.WhatIf, werr error) ([]byte, error) {
	var buf bytes.Buffer
	note := fmt.Sprintf("live: %d of %d managed devices collected", s.Observed.Seen, s.Observed.Managed)
	if !s.Reload.OK {
		note += "; the inventory file was changed and rejected: this is the last valid one"
	}
	opts := report.HTMLOptions{Inventory: s.InventoryFile, GeneratedAt: s.AuditedAt, Note: note,
		WhatIfAction: "/report", Fail: fail, WhatIf: w}
	if werr != nil {
		opts.WhatIfError = werr.Error()
	}
	err := report.HTML(&buf, s.Analysis.G, s.Report, opts)
	return buf.Bytes(), err
}
