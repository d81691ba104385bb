package redfish

// What the BMC does with $expand and $select, and the verdicts that turn
// them off for a BMC that mishandles them.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/faultline/faultline/observation"
)

// cutShort reports whether a resource that came inline should be read
// again, expanded: the BMC's $levels limit (iLO 5: 1) left at least two
// links below it that the walk wants, and one expanded read costs less
// than a read per link.
func (pl *poll) cutShort(b []byte, want int) bool {
	return want > 0 && pl.shallow() && pl.expandLevels(want) > 0 && bareLinks(b) >= 2
}

// shallow reports whether the BMC expands less deep than the collector
// reads (only then can an expansion be cut short).
func (pl *poll) shallow() bool {
	eq := pl.dev.features.ExpandQuery
	return eq.NoLinks && (!eq.Levels || int(eq.MaxLevels) < systemLevels)
}

// rejectsQuery reports whether an error is the BMC refusing a query
// parameter (rather than the resource, the credentials or the network).
func rejectsQuery(err error) bool {
	switch statusOf(err) {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusNotAcceptable,
		http.StatusInternalServerError, http.StatusNotImplemented:
		return true
	}
	return false
}

// judgeSelect turns $select off when the answer has properties that were
// not selected (the BMC ignored $select, and every answer is full size).
func (pl *poll) judgeSelect(b []byte, sel string) {
	want := map[string]bool{}
	for _, s := range strings.Split(sel, ",") {
		want[s] = true
	}
	extra := false
	eachKey(b, func(key, _ []byte) {
		extra = extra || !want[string(key)] && len(key) > 0 && key[0] != '@'
	})
	if extra {
		pl.featureOff(false, "the BMC ignored $select")
	}
}

// expandLevels is how many levels to ask $expand for (0: do not).
func (pl *poll) expandLevels(want int) int {
	if want <= 0 || pl.p.opts.NoExpand {
		return 0
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.dev.expandOff {
		if pl.now.Sub(pl.dev.expandAt) < pl.p.opts.Reprobe {
			return 0
		}
		pl.dev.expandOff = false
	}
	eq := pl.dev.features.ExpandQuery
	if !eq.NoLinks {
		return 0
	}
	most := 1
	if eq.Levels && eq.MaxLevels > 0 {
		most = int(min(eq.MaxLevels, 8))
	}
	return min(want, most)
}

func (pl *poll) selectOK() bool {
	if pl.p.opts.NoExpand || !pl.dev.features.SelectQuery {
		return false
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.dev.selectOff {
		if pl.now.Sub(pl.dev.selectAt) < pl.p.opts.Reprobe {
			return false
		}
		pl.dev.selectOff = false
	}
	return true
}

// featureOff records that the BMC mishandled $expand (expand true) or
// $select, once per poll, in the log and the observation.
func (pl *poll) featureOff(expand bool, why string) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	name := "$select"
	if expand {
		if pl.dev.expandOff {
			return
		}
		pl.dev.expandOff, pl.dev.expandWhy, pl.dev.expandAt = true, why, pl.now
		name = "$expand"
	} else {
		if pl.dev.selectOff {
			return
		}
		pl.dev.selectOff, pl.dev.selectWhy, pl.dev.selectAt = true, why, pl.now
	}
	msg := fmt.Sprintf("%s turned off for this BMC (%s): walking instead, trying again in %v", name, why, pl.p.opts.Reprobe)
	pl.warnings = append(pl.warnings, msg)
	pl.log.Info("redfish feature turned off", "feature", name, "reason", why)
}

// bareLinks counts the links of a resource (outside Links) that were not
// expanded: hyperlink properties and hyperlinks in arrays.
func bareLinks(b []byte) int {
	bare, _ := linkCounts(b)
	return bare
}

// linkCounts counts a resource's top-level links (outside Links): those
// left bare, and those that came expanded.
func linkCounts(b []byte) (bare, inline int) {
	count := func(v []byte) {
		if id, own := scanLink(v); id != "" {
			if own {
				inline++
			} else {
				bare++
			}
		}
	}
	eachKey(b, func(key, val []byte) {
		if string(key) == "Links" || len(key) > 0 && key[0] == '@' || len(val) == 0 {
			return
		}
		switch val[0] {
		case '{':
			count(val)
		case '[':
			eachElement(val, count)
		}
	})
	return bare, inline
}

// coverage counts the resources the rules need that a system or chassis
// advertises, and how many of them were read. The rules need a chassis'
// power (PowerSubsystem or Power: the PSUs and their redundancy), its
// thermal (fans, temperatures, the inlet) and its network adapters'
// ports, a system's storage (Storage or SimpleStorage) and its Ethernet
// interfaces (the ports links are checked against). One counts as read
// when it answered without an error, or with at least one part (a PSU of
// two: the other is a part error).
type coverage struct{ advertised, read int }

func (c *coverage) add(advertised, read bool) {
	if advertised {
		c.advertised++
		if read {
			c.read++
		}
	}
}

func (c *coverage) merge(o coverage) {
	c.advertised += o.advertised
	c.read += o.read
}

// unverified is the error of a poll that read systems or chassis but none
// of the resources the rules need that they advertise: an observation of
// it would say nothing and still count as verified, where an error keeps
// the last good data (or leaves the device stale).
func (pl *poll) unverified(res *result) error {
	var errs []observation.PartError
	for _, s := range res.systems {
		errs = append(errs, s.storage.partErrs...)
		errs = append(errs, s.partErrs...)
	}
	for _, c := range res.chassis {
		errs = append(errs, c.partErrs...)
	}
	msg := "none of the power, thermal, storage and network resources the BMC advertises could be read"
	switch len(errs) {
	case 0:
	case 1:
		msg += fmt.Sprintf(" (%s: %s)", errs[0].Part, errs[0].Error)
	default:
		msg += fmt.Sprintf(" (%d part errors; the first: %s: %s)", len(errs), errs[0].Part, errs[0].Error)
	}
	return errors.New(msg)
}
