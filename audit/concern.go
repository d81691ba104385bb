package audit

import (
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// concern sets each finding's Devices: the devices and power nodes its
// subject and causes belong to, subject first, each once. An id belongs
// to the device or power node it names, or whose part it names
// (device/part, device:port); a link (a~b) belongs to both ends'.
// Services, sites, racks and files belong to none.
func concern(inv *inventory.Inventory, fs []Finding) {
	for i := range fs {
		f := &fs[i]
		f.Devices = nil
		f.Devices = owners(inv, f.Devices, f.Subject)
		for _, c := range f.Causes {
			f.Devices = owners(inv, f.Devices, c)
		}
	}
	netboxLinks(inv, fs)
}

// netboxLinks sets each finding's NetBox links: the NetBox page of its
// subject and of each cause that was imported from NetBox (an entry, a
// PSU, a link, a breakout cable), each once.
func netboxLinks(inv *inventory.Inventory, fs []Finding) {
	if inv == nil || !inv.HasNetBox() {
		return
	}
	links := inv.LinkNetBoxURLs()
	for i := range fs {
		f := &fs[i]
		f.NetBox = nil
		for _, id := range append([]string{f.Subject}, f.Causes...) {
			u := inv.NetBoxURLOf(id)
			if u == "" {
				u = links[id]
			}
			if u != "" && !slices.ContainsFunc(f.NetBox, func(l NetBoxLink) bool { return l.ID == id }) {
				f.NetBox = append(f.NetBox, NetBoxLink{ID: id, URL: u})
			}
		}
	}
}

// owners appends to dst the devices and power nodes id belongs to that
// dst does not hold yet.
func owners(inv *inventory.Inventory, dst []string, id string) []string {
	for end := range strings.SplitSeq(id, "~") {
		owner := end
		if i := strings.IndexAny(end, "/:"); i >= 0 {
			owner = end[:i]
		}
		if inv.Device(owner) == nil && inv.PowerNode(owner) == nil {
			continue
		}
		if !slices.Contains(dst, owner) {
			dst = append(dst, owner)
		}
	}
	return dst
}
