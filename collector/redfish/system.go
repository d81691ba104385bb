package redfish

import (
	"context"
	"net/url"
	"strings"

	"github.com/faultline/faultline/observation"
)

// What the collector reads of a system, chassis and manager: the $select
// lists of a one-request read, and how deep below each it walks.
const (
	systemSelect  = "Id,Name,Manufacturer,Model,SerialNumber,BiosVersion,PowerState,LastResetTime,Status,Storage,SimpleStorage,EthernetInterfaces,Links"
	systemLevels  = 4 // Storage → a storage → Volumes → a volume
	chassisSelect = "Id,Name,Manufacturer,Model,SerialNumber,ChassisType,Status,PowerSubsystem,Power,ThermalSubsystem,Thermal,EnvironmentMetrics,NetworkAdapters"
	chassisLevels = 4 // NetworkAdapters → an adapter → Ports → a port; PowerSubsystem → PowerSupplies → a PSU → Metrics
	managerSelect = "Id,Name,Model,FirmwareVersion,ManagerType,Status"
)

// systemPart is one computer system as read.
type systemPart struct {
	label    string
	err      error
	doc      systemDoc
	storage  storagePart
	ifaces   []ifaceRec
	partErrs []observation.PartError
	cover    coverage // of storage and Ethernet interfaces
}

type ifaceRec struct {
	uri string
	doc ethernetInterfaceDoc
}

func (pl *poll) readSystem(ctx context.Context, uri string) systemPart {
	out := systemPart{label: "system " + lastSegment(uri)}
	a, reused, err := pl.readTop(ctx, uri, systemSelect, systemLevels, &out.doc)
	if reused != nil {
		return reused.(systemPart)
	}
	if err != nil {
		out.err = err
		return out
	}
	f := &fetches{}
	ctx = context.WithValue(ctx, fetchesKey{}, f)
	defer func() { pl.remember(uri, a, out.slim(), f, len(out.partErrs)+len(out.storage.partErrs) == 0) }()
	if out.doc.ID != "" {
		out.label = "system " + string(out.doc.ID)
	}
	// Parts of one system are told apart by their storage; on a BMC with
	// several systems (blades), by system and storage.
	sysID := firstNonEmpty(string(out.doc.ID), lastSegment(uri))
	prefix := ""
	if len(pl.dev.systems) > 1 {
		prefix = sysID + "/"
	}
	var storageRead, ethRead bool
	parallel(2, func(i int) {
		switch {
		case i == 0 && out.doc.Storage.ID != "":
			out.storage = pl.readStorage(ctx, out.label, prefix, out.doc.Storage)
		case i == 0 && out.doc.SimpleStorage.ID != "":
			out.storage = pl.readSimpleStorage(ctx, out.label, sysID, out.doc.SimpleStorage)
		case i == 1 && out.doc.EthernetInterfaces.ID != "":
			var err error
			out.ifaces, err = pl.readEthernet(ctx, out.doc.EthernetInterfaces)
			if err != nil {
				out.partErrs = append(out.partErrs, observation.PartError{Part: out.label + ": ethernet interfaces", Error: err.Error()})
			}
			ethRead = err == nil || len(out.ifaces) > 0
		}
	})
	st := out.storage
	storageRead = len(st.partErrs) == 0 || len(st.controllers)+len(st.volumes)+len(st.drives) > 0
	out.cover.add(out.doc.Storage.ID != "" || out.doc.SimpleStorage.ID != "", storageRead)
	out.cover.add(out.doc.EthernetInterfaces.ID != "", ethRead)
	return out
}

// readEthernet reads the host's Ethernet interfaces (not the BMC's own).
func (pl *poll) readEthernet(ctx context.Context, coll ref) ([]ifaceRec, error) {
	ids, err := pl.members(ctx, coll, 1)
	if err != nil {
		return nil, err
	}
	out := make([]ifaceRec, len(ids))
	errs := make([]error, len(ids))
	pl.each(ctx, len(ids), func(i int) {
		b, err := pl.get(ctx, ids[i], 0)
		if err == nil {
			err = pl.decode(b, &out[i].doc)
		}
		out[i].uri, _ = canonicalRef(pl.base, ids[i].ID)
		errs[i] = err
	})
	var kept []ifaceRec
	var first error
	for i, r := range out {
		if errs[i] != nil {
			if first == nil {
				first = partErr("interface "+lastSegment(r.uri), errs[i])
			}
			continue
		}
		kept = append(kept, r)
	}
	return kept, first
}

// managerPart is the BMC itself.
type managerPart struct {
	label string
	err   error
	doc   managerDoc
}

func (pl *poll) readManager(ctx context.Context, uri string) managerPart {
	out := managerPart{label: "manager " + lastSegment(uri)}
	read := func() (answer, error) { return pl.top(ctx, uri, managerSelect, 0) }
	a, err := read()
	if err == nil {
		if p, ok := pl.reuse(uri, a); ok {
			return p.(managerPart)
		}
		if a, err = pl.reread(ctx, a, read); err == nil {
			err = pl.decode(a.body, &out.doc)
			pl.remember(uri, a, out, &fetches{}, err == nil)
		}
	}
	out.err = err
	return out
}

// slim drops what a remembered part need not keep: the resources that
// came inline under the system's links (their contents are in the parts).
func (s systemPart) slim() systemPart {
	s.doc.Storage.inline, s.doc.SimpleStorage.inline, s.doc.EthernetInterfaces.inline = nil, nil, nil
	s.doc.Links.Chassis, s.doc.Links.ManagedBy = nil, nil
	s.intern()
	return s
}

// lastSegment is the last path segment of a link, unescaped.
func lastSegment(ref string) string {
	ref, _, _ = strings.Cut(ref, "#")
	ref = strings.TrimRight(ref, "/")
	s := ref[strings.LastIndexByte(ref, '/')+1:]
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
