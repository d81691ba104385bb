package redfish

// Discovery: the service root and the systems, chassis and managers.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/faultline/faultline/observation"
)

// readRoot reads the service root: protocol features and where sessions are.
func (pl *poll) readRoot(ctx context.Context) error {
	b, err := pl.c.get(ctx, "/redfish/v1/", "")
	if err != nil {
		return err
	}
	var root serviceRootDoc
	if err := pl.decode(b, &root); err != nil {
		return err
	}
	pl.dev.features = root.ProtocolFeaturesSupported
	pl.dev.sessionsURI = defaultSessionsURI
	if l := root.Links.Sessions.ID; l != "" {
		if p, foreign := canonicalRef(pl.base, l); foreign {
			pl.warn(fmt.Sprintf("the service root names a session service off the BMC's origin (%q); the credentials go only to the endpoint, at %s", clip(l, 120), defaultSessionsURI))
		} else {
			pl.dev.sessionsURI = p
		}
	}
	pl.dev.systems, pl.dev.chassis, pl.dev.manager = nil, nil, ""
	pl.dev.rootLinks = [3]string{root.Systems.ID, root.Chassis.ID, root.Managers.ID}
	return nil
}

// discover lists the systems, chassis and managers.
func (pl *poll) discover(ctx context.Context) error {
	if pl.dev.rootLinks == ([3]string{}) {
		if err := pl.readRoot(ctx); err != nil {
			return fmt.Errorf("service root: %w", err)
		}
	}
	pl.listErrs = nil
	var lists [3][]string
	var errs [3]error
	parallel(3, func(i int) {
		if pl.dev.rootLinks[i] != "" {
			var ms []ref
			ms, errs[i] = pl.members(ctx, ref{ID: pl.dev.rootLinks[i]}, 0)
			for _, m := range ms {
				p, _ := canonicalRef(pl.base, m.ID)
				lists[i] = append(lists[i], p)
			}
		}
	})
	if errs[0] != nil && errs[1] != nil {
		return fmt.Errorf("systems: %w", errs[0])
	}
	listed := true
	for i, name := range []string{"systems", "chassis", "managers"} {
		if errs[i] != nil {
			// A part error, so that what was not listed is not read as
			// healthy; and the listing is tried again next poll.
			pl.listErrs = append(pl.listErrs, observation.PartError{Part: name, Error: "listing: " + errs[i].Error()})
			listed = false
		}
	}
	// The root and the collections are read again only to rediscover,
	// rarely: their answers are not kept.
	pl.c.cache.forget("/redfish/v1/")
	for _, l := range pl.dev.rootLinks {
		if p, _ := canonicalRef(pl.base, l); p != "" {
			pl.c.cache.forget(p)
		}
	}
	pl.dev.systems, pl.dev.chassis = lists[0], lists[1]
	pl.dev.manager = ""
	if len(lists[2]) > 0 {
		pl.dev.manager = lists[2][0]
	}
	if len(pl.dev.systems)+len(pl.dev.chassis) == 0 {
		return errors.New("the BMC lists no systems and no chassis")
	}
	if listed {
		pl.dev.discoveredAt = pl.now
	}
	return nil
}

// members lists a collection's members, following Members@odata.nextLink
// within Options.MaxPages pages and Options.MaxMembers members. A member
// listed twice (on one page or across pages) is listed once; a next page
// already read ends the listing (a loop, with a warning); links off the
// BMC's origin are dropped (with a warning). Members are counted before
// they are decoded, so a collection of 350,000 costs a scan, not 350,000
// allocations.
func (pl *poll) members(ctx context.Context, coll ref, want int) ([]ref, error) {
	var out []ref
	maxMembers, maxPages := pl.p.opts.MaxMembers, pl.p.opts.MaxPages
	first := clip(shown(coll.ID), 120)
	seen := map[string]bool{}
	pages := map[string]bool{}
	for page := 0; ; page++ {
		if page >= maxPages {
			return nil, pl.budget.over(&LimitError{Option: "MaxPages", Limit: int64(maxPages), What: "pages in one collection", Where: first})
		}
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		pages[pl.pageKey(coll.ID)] = true
		b, err := pl.getPage(ctx, coll, want, page > 0)
		if err != nil {
			return nil, err
		}
		if n := countMembers(b); len(seen)+n > maxMembers && n > 0 {
			// Counted before decoding; duplicates count too, which only
			// matters to a BMC listing the same link thousands of times.
			return nil, pl.budget.over(&LimitError{Option: "MaxMembers", Limit: int64(maxMembers), What: "members in one collection", Where: first})
		}
		var c collectionDoc
		if err := pl.decode(b, &c); err != nil {
			return nil, err
		}
		off, dup := 0, 0
		for _, m := range c.Members {
			switch p, foreign := canonicalRef(pl.base, m.ID); {
			case foreign:
				off++
			case p == "":
			case seen[p]:
				dup++
			default:
				seen[p] = true
				out = append(out, m)
			}
		}
		if off > 0 {
			pl.warn(fmt.Sprintf("%s: %d members link off the BMC's origin; not followed", first, off))
		}
		if dup > 0 {
			pl.warn(fmt.Sprintf("%s: %d members listed more than once; each read once", first, dup))
		}
		if c.NextLink == "" {
			return out, nil
		}
		if _, foreign := canonicalRef(pl.base, c.NextLink); foreign {
			pl.warn(fmt.Sprintf("%s: the next page links off the BMC's origin; not followed", first))
			return out, nil
		}
		if pages[pl.pageKey(c.NextLink)] {
			pl.warn(fmt.Sprintf("%s: the next page links back to a page already read; listing stopped there", first))
			return out, nil
		}
		coll = ref{ID: c.NextLink}
	}
}

// pageKey names a page of a collection: its canonical path and its query
// (pages of one collection differ by $skip or a token).
func (pl *poll) pageKey(link string) string {
	p, _ := canonicalRef(pl.base, link)
	_, q, _ := strings.Cut(link, "?")
	q, _, _ = strings.Cut(q, "#")
	return p + "?" + q
}

// countMembers counts the elements of a collection's Members array
// without decoding them.
func countMembers(b []byte) int {
	n := 0
	eachKey(b, func(key, val []byte) {
		if string(key) == "Members" {
			eachElement(val, func([]byte) { n++ })
		}
	})
	return n
}
