package sitebus

import (
	"errors"
	"fmt"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/inventory"
)

// Share is the part of the managed fleet one collector polls: the union
// of its selectors, in the selector language of inventory.ParseSelector.
type Share struct {
	sels []inventory.Selector
	text string
}

// ParseShare reads a --devices list: selectors separated by commas.
func ParseShare(list string) (*Share, error) {
	s := &Share{text: list}
	var errs []error
	for _, item := range inventory.SplitSelectors(list) {
		sel, err := inventory.ParseSelector(item)
		if err != nil {
			errs = append(errs, fmt.Errorf("selector %q: %w", item, err))
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
	return &Share{sels: []inventory.Selector{{Key: "site", Pattern: site}}, text: "site=" + site}
}

// String is the share as given.
func (s *Share) String() string { return s.text }

// Targets lists the managed entries of inv in the share, in inventory
// order (it is the engine's Config.Targets).
func (s *Share) Targets(inv *inventory.Inventory) []collector.Target {
	var out []collector.Target
	for _, t := range collector.Targets(inv) {
		for _, sel := range s.sels {
			if sel.MatchEntry(inv, t.ID) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}
