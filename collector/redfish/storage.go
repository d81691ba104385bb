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
	volumes     []observation.Volume
	drives      []observation.Drive
	partErrs    []observation.PartError
}

// readStorage reads the Storage collection: every storage subsystem's
// controllers (the Controllers collection, or StorageControllers inline on
// older services), drives and volumes.
func (pl *poll) readStorage(ctx context.Context, label, ref string) storagePart {
	var out storagePart
	members, err := pl.members(ctx, ref, 3)
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": storage", Error: err.Error()})
		return out
	}
	parts := make([]storagePart, len(members))
	parallel(len(members), func(i int) { parts[i] = pl.readOneStorage(ctx, label, members[i]) })
	for _, p := range parts {
		out.controllers = append(out.controllers, p.controllers...)
		out.volumes = append(out.volumes, p.volumes...)
		out.drives = append(out.drives, p.drives...)
		out.partErrs = append(out.partErrs, p.partErrs...)
	}
	return out
}

func (pl *poll) readOneStorage(ctx context.Context, label, uri string) storagePart {
	var out storagePart
	b, err := pl.get(ctx, uri, 2)
	var doc storageDoc
	if err == nil {
		err = decodeJSON(b, &doc)
	}
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": storage " + lastSegment(uri), Error: err.Error()})
		return out
	}
	label = label + ": storage " + string(doc.ID)
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
	}
	if doc.Controllers.ID != "" && len(doc.StorageControllers) == 0 {
		ids, err := pl.members(ctx, doc.Controllers.ID, 1)
		if err != nil {
			fail("controllers", err)
		}
		ctrls := make([]*observation.Controller, len(ids))
		parallel(len(ids), func(i int) {
			var sc storageControllerDoc
			b, err := pl.get(ctx, ids[i], 0)
			if err == nil {
				err = decodeJSON(b, &sc)
			}
			if err != nil {
				fail("controller "+lastSegment(ids[i]), err)
				return
			}
			c := controllerOf(string(sc.ID), sc)
			ctrls[i] = &c
		})
		for _, c := range ctrls {
			if c != nil {
				out.controllers = append(out.controllers, *c)
			}
		}
	}

	// Drives, then volumes (whose members are named by drive id).
	drives := make([]*observation.Drive, len(doc.Drives))
	idOf := map[string]string{}
	parallel(len(doc.Drives), func(i int) {
		var d driveDoc
		b, err := pl.get(ctx, doc.Drives[i].ID, 0)
		if err == nil {
			err = decodeJSON(b, &d)
		}
		if err != nil {
			fail("drive "+lastSegment(doc.Drives[i].ID), err)
			return
		}
		od := driveOf(d, i)
		drives[i] = &od
		p, _ := canonicalRef(pl.base, doc.Drives[i].ID)
		mu.Lock()
		idOf[p] = od.ID
		mu.Unlock()
	})
	for _, d := range drives {
		if d != nil {
			out.drives = append(out.drives, *d)
		}
	}
	if doc.Volumes.ID != "" {
		ids, err := pl.members(ctx, doc.Volumes.ID, 1)
		if err != nil {
			fail("volumes", err)
		}
		vols := make([]*observation.Volume, len(ids))
		parallel(len(ids), func(i int) {
			var v volumeDoc
			b, err := pl.get(ctx, ids[i], 0)
			if err == nil {
				err = decodeJSON(b, &v)
			}
			if err != nil {
				fail("volume "+lastSegment(ids[i]), err)
				return
			}
			ov := pl.volumeOf(v, idOf)
			vols[i] = &ov
		})
		for _, v := range vols {
			if v != nil {
				out.volumes = append(out.volumes, *v)
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

func (pl *poll) volumeOf(v volumeDoc, idOf map[string]string) observation.Volume {
	var drives []string
	for _, r := range v.Links.Drives {
		p, _ := canonicalRef(pl.base, r.ID)
		if id, ok := idOf[p]; ok {
			drives = append(drives, id)
		} else {
			drives = append(drives, lastSegment(p))
		}
	}
	reported := v.RAIDType
	if reported == "" {
		reported = v.VolumeType
	}
	return observation.Volume{
		ID: string(v.ID), Name: v.Name,
		RAID: RAID(v.RAIDType, v.VolumeType, len(drives)), RAIDReported: reported,
		Condition: v.Status.condition(), State: v.Status.State, Health: v.Status.Health,
		Drives: drives, CapacityBytes: bytesOf(v.CapacityBytes),
	}
}

// readSimpleStorage reads the older SimpleStorage collection: its devices
// are drives (with no volumes), named by their Name.
func (pl *poll) readSimpleStorage(ctx context.Context, label, ref string) storagePart {
	var out storagePart
	members, err := pl.members(ctx, ref, 1)
	if err != nil {
		out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": simple storage", Error: err.Error()})
		return out
	}
	for _, m := range members {
		var ss simpleStorageDoc
		b, err := pl.get(ctx, m, 0)
		if err == nil {
			err = decodeJSON(b, &ss)
		}
		if err != nil {
			out.partErrs = append(out.partErrs, observation.PartError{Part: label + ": simple storage " + lastSegment(m), Error: err.Error()})
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
		}
	}
	return out
}
