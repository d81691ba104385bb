package redfish

import (
	"context"
	"fmt"
	"sync"

	"github.com/faultline/faultline/observation"
)

// storagePart is what one system's storage says: controllers, volumes
// (with their member drives) and drives.
type storagePart struct {
	controllers []observation.Controller
	ctrls       []partKey
	volumes     []observation.Volume
	vols        []partKey
	volDrives   [][]string // each volume's member drives, as links
	drives      []observation.Drive
	drvs        []partKey
	partErrs    []observation.PartError
}

// partKey is what tells parts apart when their ids do not: the link each
// was read from, and the id of the storage (or chassis) holding it.
type partKey struct{ ref, parent string }

func (s *storagePart) add(o storagePart) {
	s.controllers, s.ctrls = append(s.controllers, o.controllers...), append(s.ctrls, o.ctrls...)
	s.volumes, s.vols, s.volDrives = append(s.volumes, o.volumes...), append(s.vols, o.vols...), append(s.volDrives, o.volDrives...)
	s.drives, s.drvs = append(s.drives, o.drives...), append(s.drvs, o.drvs...)
	s.partErrs = append(s.partErrs, o.partErrs...)
}

// readStorage reads the Storage collection: every storage subsystem's
// controllers (the Controllers collection, or StorageControllers inline on
// older services), drives and volumes.
func (pl *poll) readStorage(ctx context.Context, label, prefix string, coll ref) storagePart {
	var out storagePart
	members, err := pl.members(ctx, coll, 3)
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": storage", Error: err.Error()})
		return out
	}
	parts := make([]storagePart, len(members))
	pl.each(ctx, len(members), func(i int) { parts[i] = pl.readOneStorage(ctx, label, prefix, members[i]) })
	for _, p := range parts {
		out.add(p)
	}
	return out
}

func (pl *poll) readOneStorage(ctx context.Context, label, prefix string, r ref) storagePart {
	var out storagePart
	uri := r.ID
	b, err := pl.get(ctx, r, 2)
	var doc storageDoc
	if err == nil {
		err = pl.decode(b, &doc)
	}
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": storage " + lastSegment(uri), Error: err.Error()})
		return out
	}
	drvRefs, err := pl.distinct(r.ID, "Drives", doc.Drives)
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": storage " + lastSegment(uri), Error: err.Error()})
		return out
	}
	doc.Drives = drvRefs
	label = label + ": storage " + string(doc.ID)
	parent := prefix + firstNonEmpty(string(doc.ID), lastSegment(uri))
	var mu sync.Mutex
	fail := func(part string, err error) {
		mu.Lock()
		defer mu.Unlock()
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": " + part, Error: err.Error()})
	}

	// Controllers, inline (StorageControllers) or as a collection.
	for i, sc := range doc.StorageControllers {
		id := string(sc.MemberID)
		if id == "" {
			id = itoa(i)
		}
		out.controllers = append(out.controllers, controllerOf(id, sc))
		out.ctrls = append(out.ctrls, partKey{memberRef(pl.base, firstNonEmpty(sc.ODataID, uri+"#/StorageControllers/"+itoa(i))), parent})
	}
	if doc.Controllers.ID != "" && len(doc.StorageControllers) == 0 {
		ids, err := pl.members(ctx, doc.Controllers, 1)
		if err != nil {
			fail("controllers", err)
		}
		ctrls := make([]*observation.Controller, len(ids))
		ctrlSelf := make([]string, len(ids))
		pl.each(ctx, len(ids), func(i int) {
			var sc storageControllerDoc
			b, err := pl.get(ctx, ids[i], 0)
			if err == nil {
				err = pl.decode(b, &sc)
			}
			if err != nil {
				fail("controller "+lastSegment(ids[i].ID), err)
				return
			}
			c := controllerOf(string(sc.ID), sc)
			ctrls[i], ctrlSelf[i] = &c, sc.ODataID
		})
		for i, c := range ctrls {
			if c != nil {
				out.controllers = append(out.controllers, *c)
				out.ctrls = append(out.ctrls, partKey{memberRef(pl.base, firstNonEmpty(ctrlSelf[i], ids[i].ID)), parent})
			}
		}
	}

	drives := make([]*observation.Drive, len(doc.Drives))
	driveSelf := make([]string, len(doc.Drives))
	pl.each(ctx, len(doc.Drives), func(i int) {
		var d driveDoc
		b, err := pl.get(ctx, doc.Drives[i], 0)
		if err == nil {
			err = pl.decode(b, &d)
		}
		if err != nil {
			fail("drive "+lastSegment(doc.Drives[i].ID), err)
			return
		}
		od := driveOf(d, i)
		drives[i], driveSelf[i] = &od, d.ODataID
	})
	for i, d := range drives {
		if d != nil {
			out.drives = append(out.drives, *d)
			out.drvs = append(out.drvs, partKey{memberRef(pl.base, firstNonEmpty(driveSelf[i], doc.Drives[i].ID)), parent})
		}
	}
	if doc.Volumes.ID != "" {
		ids, err := pl.members(ctx, doc.Volumes, 1)
		if err != nil {
			fail("volumes", err)
		}
		vols := make([]*observation.Volume, len(ids))
		members := make([][]string, len(ids))
		volSelf := make([]string, len(ids))
		pl.each(ctx, len(ids), func(i int) {
			var v volumeDoc
			b, err := pl.get(ctx, ids[i], 0)
			if err == nil {
				err = pl.decode(b, &v)
			}
			if err != nil {
				fail("volume "+lastSegment(ids[i].ID), err)
				return
			}
			ov := volumeOf(v)
			vols[i], volSelf[i] = &ov, v.ODataID
			for _, r := range v.Links.Drives {
				members[i] = append(members[i], memberRef(pl.base, r.ID))
			}
		})
		for i, v := range vols {
			if v != nil {
				out.volumes = append(out.volumes, *v)
				out.vols = append(out.vols, partKey{memberRef(pl.base, firstNonEmpty(volSelf[i], ids[i].ID)), parent})
				out.volDrives = append(out.volDrives, members[i])
			}
		}
	}
	return out
}

func controllerOf(id string, sc storageControllerDoc) observation.Controller {
	return observation.Controller{
		ID: id, Name: sc.Name, Condition: sc.Status.condition(),
		State: sc.Status.State, Health: sc.Status.Health,
		Model: sc.Model, Serial: sc.SerialNumber, Firmware: sc.FirmwareVersion,
	}
}

func driveOf(d driveDoc, i int) observation.Drive {
	predicted := d.FailurePredicted != nil && *d.FailurePredicted || predictsFailure(d.Status)
	slot := i
	if o := intOf(d.PhysicalLocation.PartLocation.LocationOrdinalValue); o != nil {
		slot = *o
	}
	id := string(d.ID)
	if id == "" {
		id = lastSegment(d.ODataID)
	}
	return observation.Drive{
		ID: id, Name: d.Name, Slot: slot,
		Condition: bayCondition(d.Status, predicted),
		State:     d.Status.State, Health: d.Status.Health,
		PredictedFailure: predicted, MediaType: d.MediaType,
		CapacityBytes: bytesOf(d.CapacityBytes), Model: d.Model, Serial: d.SerialNumber,
	}
}

// volumeOf converts a volume; its member drives are named once every id
// is settled (assemble).
func volumeOf(v volumeDoc) observation.Volume {
	reported := v.RAIDType
	if reported == "" {
		reported = v.VolumeType
	}
	return observation.Volume{
		ID: string(v.ID), Name: v.Name,
		RAID: RAID(v.RAIDType, v.VolumeType, len(v.Links.Drives)), RAIDReported: reported,
		Condition: v.Status.condition(), State: v.Status.State, Health: v.Status.Health,
		CapacityBytes: bytesOf(v.CapacityBytes),
	}
}

// readSimpleStorage reads the older SimpleStorage collection: its devices
// are drives (with no volumes), named by their Name.
func (pl *poll) readSimpleStorage(ctx context.Context, label, sysID string, coll ref) storagePart {
	var out storagePart
	members, err := pl.members(ctx, coll, 1)
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": simple storage", Error: err.Error()})
		return out
	}
	for _, m := range members {
		var ss simpleStorageDoc
		b, err := pl.get(ctx, m, 0)
		if err == nil {
			err = pl.decode(b, &ss)
		}
		if err != nil {
			out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": simple storage " + lastSegment(m.ID), Error: err.Error()})
			continue
		}
		for i, d := range ss.Devices {
			id := d.Name
			if id == "" {
				id = fmt.Sprintf("%s-%d", ss.ID, i)
			}
			out.drives = append(out.drives, observation.Drive{
				ID: id, Name: d.Name, Slot: len(out.drives),
				Condition: bayCondition(d.Status, false), State: d.Status.State, Health: d.Status.Health,
				CapacityBytes: bytesOf(d.CapacityBytes), Model: d.Model,
			})
			out.drvs = append(out.drvs, partKey{memberRef(pl.base, m.ID+"#/Devices/"+itoa(i)), sysID})
		}
	}
	return out
}
