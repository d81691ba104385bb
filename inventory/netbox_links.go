package inventory

// HasNetBox reports whether any file of the inventory was imported from a
// NetBox (names its URL): only then can an entry link to a NetBox page.
func (inv *Inventory) HasNetBox() bool {
	if inv.NetBox != "" {
		return true
	}
	for _, u := range inv.netboxURLs {
		if u != "" {
			return true
		}
	}
	return false
}

// LinkNetBoxURLs maps the links and cables imported from NetBox to their
// NetBox pages: a link by its id ("a~b"), a cable that carries several
// links by its cable id (the page of the cable its first link names).
// It is empty without a NetBox URL.
func (inv *Inventory) LinkNetBoxURLs() map[string]string {
	out := map[string]string{}
	if !inv.HasNetBox() {
		return out
	}
	for i := range inv.Links {
		l := &inv.Links[i]
		u := inv.NetBoxLink(l.NetBox, l.Pos)
		if u == "" {
			continue
		}
		out[l.ID()] = u
		if _, seen := out[l.Cable]; l.Cable != "" && !seen {
			out[l.Cable] = u
		}
	}
	return out
}
