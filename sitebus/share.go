package sitebus

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
)

// Share is the part of the managed fleet one collector polls: the union
// of its selectors. A selector is a device id or a glob of ids ("db-*"),
// or kind=K, rack=R or site=S, where the value may be a glob too.
type Share struct {
	sels []selector
	text string
}

type selector struct {
	field   string // "", "kind", "rack", "site"
	pattern string
}

// ParseShare reads a --devices list: selectors separated by commas.
func ParseShare(list string) (*Share, error) {
	s := &Share{text: list}
	var errs []error
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		sel := selector{pattern: item}
		if k, v, ok := strings.Cut(item, "="); ok {
			switch k {
			case "kind", "rack", "site":
				sel = selector{field: k, pattern: v}
			default:
				errs = append(errs, fmt.Errorf("selector %q: use an id or glob, kind=, rack= or site=", item))
				continue
			}
		}
		if sel.pattern == "" {
			errs = append(errs, fmt.Errorf("selector %q: the value is empty", item))
			continue
		}
		if _, err := path.Match(sel.pattern, ""); err != nil {
			errs = append(errs, fmt.Errorf("selector %q: bad glob", item))
			continue
		}
		s.sels = append(s.sels, sel)
	}
	if len(errs) == 0 && len(s.sels) == 0 {
		errs = append(errs, errors.New("no selector: give ids, globs, kind=, rack= or site=, separated by commas"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("--devices: %w", err)
	}
	return s, nil
}

// SiteShare is the share of one site: every managed device and power
// node in its racks (or placed in it directly).
func SiteShare(site string) *Share {
	return &Share{sels: []selector{{field: "site", pattern: site}}, text: "site=" + site}
}

// String is the share as given.
func (s *Share) String() string { return s.text }

// Targets lists the managed entries of inv in the share, in inventory
// order (it is the engine's Config.Targets).
func (s *Share) Targets(inv *inventory.Inventory) []collector.Target {
	var out []collector.Target
	for _, t := range collector.Targets(inv) {
		if s.matches(inv, t) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Share) matches(inv *inventory.Inventory, t collector.Target) bool {
	for _, sel := range s.sels {
		var v string
		switch sel.field {
		case "":
			v = t.ID
		case "kind":
			v = t.Kind
		case "rack":
			if d := inv.Device(t.ID); d != nil {
				v = d.Rack
			} else if p := inv.PowerNode(t.ID); p != nil {
				v = p.Rack
			}
		case "site":
			v = inv.SiteOf(t.ID)
		}
		if ok, _ := path.Match(sel.pattern, v); ok && v != "" {
			return true
		}
	}
	return false
}
