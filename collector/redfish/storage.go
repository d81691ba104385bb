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

// readOneStorage reads one storage subsystem and its controllers, drives
// and volumes. A part that cannot be read is a part error; the rest are
// still read.
func (pl *poll) readOneStorage(ctx context.Context, label, prefix string, r ref) storagePart {
	uri := r.ID
	doc, err := pl.readStorageDoc(ctx, r)
	if err != nil {
		return storagePart{partErrs: []observation.PartError{{Part: label + ": storage " + lastSegment(uri), Error: err.Error()}}}
	}
	sr := &storageRead{
		pl:     pl,
		label:  label + ": storage " + string(doc.ID),
		parent: prefix + firstNonEmpty(string(doc.ID), lastSegment(uri)),
	}
	sr.inlineControllers(uri, doc.StorageControllers)
	if doc.Controllers.ID != "" && len(doc.StorageControllers) == 0 {
		sr.controllers(ctx, doc.Controllers)
	}
	sr.drives(ctx, doc.Drives)
	if doc.Volumes.ID != "" {
		sr.volumes(ctx, doc.Volumes)
	}
	return sr.out
}

// readStorageDoc reads a Storage resource (two levels may come expanded)
// and holds its drive links to the distinct-link budget.
func (pl *poll) readStorageDoc(ctx context.Context, r ref) (storageDoc, error) {
	var doc storageDoc
	b, err := pl.get(ctx, r, 2)
	if err == nil {
		err = pl.decode(b, &doc)
	}
	if err != nil {
		return doc, err
	}
	drvRefs, err := pl.distinct(r.ID, "Drives", doc.Drives)
	if err != nil {
		return doc, err
	}
	doc.Drives = drvRefs
	return doc, nil
}

// storageRead is one storage subsystem being read: its parts go to out,
// each keyed under parent, and each failure is a part error under label.
// Members are read in parallel; results land in per-member slots and are
// appended in link order once all are read, so out only takes errors
// concurrently (under mu).
type storageRead struct {
	pl     *poll
	label  string // "<system>: storage <id>"
	parent string // the storage's id, prefixed, for partKey
	mu     sync.Mutex
	out    storagePart
}

func (sr *storageRead) fail(part string, err error) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	sr.out.partErrs = append(sr.out.partErrs, observation.PartError{Part: sr.label + ": " + part, Error: err.Error()})
}

// key is the partKey of a part read from link self (or, when it does not
// say where it lives, from link fallback).
func (sr *storageRead) key(self, fallback string) partKey {
	return partKey{memberRef(sr.pl.base, firstNonEmpty(self, fallback)), sr.parent}
}

// inlineControllers takes the controllers that older services list inline
// (StorageControllers), named by MemberId or else by position.
func (sr *storageRead) inlineControllers(uri string, inline []storageControllerDoc) {
	for i, sc := range inline {
		id := string(sc.MemberID)
		if id == "" {
			id = itoa(i)
		}
		sr.out.controllers = append(sr.out.controllers, controllerOf(id, sc))
		sr.out.ctrls = append(sr.out.ctrls, sr.key(sc.ODataID, uri+"#/StorageControllers/"+itoa(i)))
	}
}

// controllers reads the Controllers collection.
func (sr *storageRead) controllers(ctx context.Context, coll ref) {
	pl := sr.pl
	ids, err := pl.members(ctx, coll, 1)
	if err != nil {
		sr.fail("controllers", err)
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
			sr.fail("controller "+lastSegment(ids[i].ID), err)
			return
		}
		c := controllerOf(string(sc.ID), sc)
		ctrls[i], ctrlSelf[i] = &c, sc.ODataID
	})
	for i, c := range ctrls {
		if c != nil {
			sr.out.controllers = append(sr.out.controllers, *c)
			sr.out.ctrls = append(sr.out.ctrls, sr.key(ctrlSelf[i], ids[i].ID))
		}
	}
}

// drives reads the storage's drives (links already held to the budget).
func (sr *storageRead) drives(ctx context.Context, links []ref) {
	pl := sr.pl
	drives := make([]*observation.Drive, len(links))
	driveSelf := make([]string, len(links))
	pl.each(ctx, len(links), func(i int) {
		var d driveDoc
		b, err := pl.get(ctx, links[i], 0)
		if err == nil {
			err = pl.decode(b, &d)
		}
		if err != nil {
			sr.fail("drive "+lastSegment(links[i].ID), err)
			return
		}
		od := driveOf(d, i)
		drives[i], driveSelf[i] = &od, d.ODataID
	})
	for i, d := range drives {
		if d != nil {
			sr.out.drives = append(sr.out.drives, *d)
			sr.out.drvs = append(sr.out.drvs, sr.key(driveSelf[i], links[i].ID))
		}
	}
}

// volumes reads the Volumes collection, with each volume's member-drive
// links.
func (sr *storageRead) volumes(ctx context.Context, coll ref) {
	pl := sr.pl
	ids, err := pl.members(ctx, coll, 1)
	if err != nil {
		sr.fail("volumes", err)
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
			sr.fail("volume "+lastSegment(ids[i].ID), err)
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
			sr.out.volumes = append(sr.out.volumes, *v)
			sr.out.vols = append(sr.out.vols, sr.key(volSelf[i], ids[i].ID))
			sr.out.volDrives = append(sr.out.volDrives, members[i])
		}
	}
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
