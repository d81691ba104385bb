package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// An inventory in several files: -i given more than once, or a directory
// (its *.yaml files in name order). Every file is a version 1 document with
// any of the sections; the inventory is their union, validated as one:
// ids unique across the files, references across files allowed, every
// problem positioned in its own file (Pos.File indexes Inventory.Files).

// Source is one inventory file's content, already read.
type Source struct {
	Name string
	Data []byte
}

// Expand turns inventory paths (files or directories) into the files they
// name: a directory stands for its *.yaml files in name order (not its
// subdirectories). A path named twice is read once. A directory without
// any *.yaml file is an error: an empty inventory is never what was meant.
//
// Expand follows no symbolic link: a linked file or directory, or a
// relative path through a linked directory, is refused as ReadFile refuses
// it (in CI the inventory is a pull request's). serve, which reads the
// paths its operator gave (a Kubernetes ConfigMap is mounted as links),
// uses ExpandFollowingLinks.
func Expand(paths []string) ([]string, error) { return expand(paths, false) }

// ExpandFollowingLinks is Expand for paths that an operator chose: links
// are followed.
func ExpandFollowingLinks(paths []string) ([]string, error) { return expand(paths, true) }

func expand(paths []string, follow bool) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		var fi os.FileInfo
		var err error
		if follow {
			fi, err = os.Stat(p)
		} else if err = noLinks(p); err == nil {
			fi, err = os.Lstat(p)
		}
		if err != nil {
			if errors.Is(err, ErrNotRegular) {
				return nil, err
			}
			return nil, fmt.Errorf("inventory: %w", err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return nil, regular(p, fi)
		}
		if !fi.IsDir() {
			if c := filepath.Clean(p); !seen[c] {
				seen[c] = true
				out = append(out, p)
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
		n := 0
		for _, e := range entries { // ReadDir sorts by name
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			f := filepath.Join(p, e.Name())
			n++
			if c := filepath.Clean(f); !seen[c] {
				seen[c] = true
				out = append(out, f)
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("inventory: directory %s holds no *.yaml file", p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("inventory: no file given")
	}
	return out, nil
}

// ReadFiles expands paths and reads every file with ReadFile: regular
// files only, never through a link.
func ReadFiles(paths []string) ([]Source, error) { return readFiles(paths, false) }

// ReadFilesFollowingLinks is ReadFiles for paths an operator chose (serve):
// links are followed, sizes still bounded.
func ReadFilesFollowingLinks(paths []string) ([]Source, error) { return readFiles(paths, true) }

func readFiles(paths []string, follow bool) ([]Source, error) {
	files, err := expand(paths, follow)
	if err != nil {
		return nil, err
	}
	srcs := make([]Source, len(files))
	for i, f := range files {
		var data []byte
		if follow {
			data, err = readFollowing(f)
		} else {
			data, err = ReadFile(f)
		}
		if err != nil {
			return nil, err
		}
		srcs[i] = Source{Name: f, Data: data}
	}
	return srcs, nil
}

// readFollowing reads a file an operator named, through links, within
// MaxFileBytes.
func readFollowing(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	return readBounded(path, f)
}

// LoadFiles reads and validates an inventory made of files and
// directories. One file is exactly Load.
func LoadFiles(paths []string, opts Options) (*Inventory, error) {
	srcs, err := ReadFiles(paths)
	if err != nil {
		return nil, err
	}
	return ParseFiles(srcs, opts)
}

// Hash is the hex SHA-256 over the sources' names and contents: it changes
// when any file changes, is added, removed or renamed.
func Hash(srcs []Source) string {
	if len(srcs) == 1 {
		sum := sha256.Sum256(srcs[0].Data) // what a one-file inventory always hashed to
		return hex.EncodeToString(sum[:])
	}
	h := sha256.New()
	for _, s := range srcs {
		fmt.Fprintf(h, "%d:%s\n%d\n", len(s.Name), s.Name, len(s.Data))
		h.Write(s.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ParseFiles is LoadFiles for files already read.
func ParseFiles(srcs []Source, opts Options) (*Inventory, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("inventory: no file given")
	}
	if len(srcs) == 1 {
		return Parse(srcs[0].Name, srcs[0].Data, opts)
	}
	if len(srcs) > maxFiles {
		return nil, fmt.Errorf("inventory: %d files; at most %d are read as one inventory", len(srcs), maxFiles)
	}
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name
	}
	r := &reporter{file: names[0], files: names}
	merged := &Inventory{Version: Version, File: names[0], Files: names}
	parts := make([]*Inventory, len(srcs))
	for i, s := range srcs {
		part := &Inventory{File: s.Name}
		root, err := parseYAML(s.Data)
		if err != nil {
			r.diags = append(r.diags, syntaxDiagnostic(s.Name, err))
			continue
		}
		d := &decoder{reporter: reporter{file: s.Name}, budget: 4*len(s.Data) + 10000}
		d.decode(root, reflectValue(part), "the inventory")
		r.diags = append(r.diags, d.diags...)
		stampFile(reflect.ValueOf(part).Elem(), int32(i))
		pr := &reporter{file: s.Name}
		checkVersion(part, pr)
		r.diags = append(r.diags, pr.diags...)
		parts[i] = part
	}
	policyFrom, reliabilityFrom := -1, -1
	for i, part := range parts {
		if part == nil {
			continue
		}
		merged.Sites = append(merged.Sites, part.Sites...)
		merged.Racks = append(merged.Racks, part.Racks...)
		merged.Power = append(merged.Power, part.Power...)
		merged.Devices = append(merged.Devices, part.Devices...)
		merged.Links = append(merged.Links, part.Links...)
		merged.Services = append(merged.Services, part.Services...)
		merged.Network.Roots = append(merged.Network.Roots, part.Network.Roots...)
		merged.Network.RootsPos = append(merged.Network.RootsPos, part.Network.RootsPos...)
		if merged.Network.Pos.Line == 0 {
			merged.Network.Pos = part.Network.Pos
		}
		if part.Policy.Pos.Line != 0 {
			if policyFrom >= 0 {
				r.errorf(part.Policy.Pos, fmt.Sprintf("keep one policy section; the first is in %s at line %d", names[policyFrom], merged.Policy.Pos.Line), "a second policy section")
			} else {
				policyFrom = i
				merged.Policy = part.Policy
			}
		}
		if part.Reliability.Pos.Line != 0 {
			if reliabilityFrom >= 0 {
				r.errorf(part.Reliability.Pos, fmt.Sprintf("keep one reliability section; the first is in %s at line %d", names[reliabilityFrom], merged.Reliability.Pos.Line), "a second reliability section")
			} else {
				reliabilityFrom = i
				merged.Reliability = part.Reliability
			}
		}
		merged.netboxURLs = append(merged.netboxURLs, part.NetBox)
		if merged.NetBox == "" {
			merged.NetBox = part.NetBox
		}
	}
	validateEntries(merged, r)
	return finish(merged, r, opts)
}

// maxFiles bounds how many files one inventory is read from (Pos.File is
// an index into them).
const maxFiles = 1 << 16

// finish splits the diagnostics into errors and warnings, as Parse does.
func finish(inv *Inventory, r *reporter, opts Options) (*Inventory, error) {
	errs, warns := splitDiagnostics(r.diags, opts.Strict)
	order := map[string]int{}
	for i, f := range inv.Files {
		order[f] = i
	}
	sortByFile := func(ds Diagnostics) {
		sort.SliceStable(ds, func(i, j int) bool {
			fi, fj := order[ds[i].File], order[ds[j].File]
			if fi != fj {
				return fi < fj
			}
			a, b := ds[i].Pos, ds[j].Pos
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		})
	}
	if len(errs) > 0 {
		all := append(errs, warns...)
		sortByFile(all)
		return nil, &Error{Diagnostics: all}
	}
	sortByFile(warns)
	inv.Warnings = warns
	return inv, nil
}

// stampFile sets File = f on every Pos in v (a decoded part).
func stampFile(v reflect.Value, f int32) {
	if f == 0 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			stampFile(v.Elem(), f)
		}
	case reflect.Slice:
		if v.Type() == posSliceType {
			for i := 0; i < v.Len(); i++ {
				p := v.Index(i).Addr().Interface().(*Pos)
				p.File = f
			}
			return
		}
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Pointer {
			return
		}
		for i := 0; i < v.Len(); i++ {
			stampFile(v.Index(i), f)
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.Field(0).Int() != 0 { // Line: a position written in the file
				v.Addr().Interface().(*Pos).File = f
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			stampFile(v.Field(i), f)
		}
	}
}

// UnknownPower returns the power nodes that are no source of power: those
// declared with a supply (unknown, off) and those all of whose inputs are
// such nodes. A PSU on one of them has no known source.
func (inv *Inventory) UnknownPower() map[string]bool {
	out := map[string]bool{}
	declared := false
	for i := range inv.Power {
		if inv.Power[i].NoSupply() {
			out[inv.Power[i].ID] = true
			declared = true
		}
	}
	if !declared {
		return out
	}
	for changed := true; changed; {
		changed = false
		for i := range inv.Power {
			p := &inv.Power[i]
			if out[p.ID] || len(p.Inputs) == 0 {
				continue
			}
			all := true
			for _, in := range p.Inputs {
				all = all && out[in]
			}
			if all {
				out[p.ID] = true
				changed = true
			}
		}
	}
	return out
}

// FileOf names the file a position is in.
func (inv *Inventory) FileOf(p Pos) string {
	if int(p.File) < len(inv.Files) {
		return inv.Files[p.File]
	}
	return inv.File
}

// DirOf is the directory of the file a position is in: an entry's relative
// ${file:..} secrets and CA paths are resolved against its own file's
// directory.
func (inv *Inventory) DirOf(p Pos) string {
	f := inv.FileOf(p)
	if f == "" {
		return ""
	}
	return filepath.Dir(f)
}

// NetBoxOf is the NetBox URL of the file a position is in (its top-level
// netbox key), "" when that file names none.
func (inv *Inventory) NetBoxOf(p Pos) string {
	if int(p.File) < len(inv.netboxURLs) {
		return inv.netboxURLs[p.File]
	}
	return inv.NetBox
}

// NetBoxLink is the NetBox page of an entry's netbox identity ("dcim.device/27"
// → URL/dcim/devices/27/), "" without a NetBox URL or identity.
func (inv *Inventory) NetBoxLink(ref string, p Pos) string {
	base := strings.TrimRight(inv.NetBoxOf(p), "/")
	if base == "" || ref == "" {
		return ""
	}
	app, rest, ok := strings.Cut(ref, ".")
	model, id, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return ""
	}
	path, known := netboxPaths[app+"."+model]
	if !known {
		return ""
	}
	return base + "/" + app + "/" + path + "/" + id + "/"
}

// NetBoxURLOf is the NetBox page of an entry imported from NetBox: a
// site, rack, power node, device, service, or a device's PSU
// ("device/PSU1"); "" when it has no netbox identity or its file no URL.
func (inv *Inventory) NetBoxURLOf(id string) string {
	x := inv.index()
	switch x.kinds[id] {
	case kindSite:
		return inv.NetBoxLink(x.sites[id].NetBox, x.sites[id].Pos)
	case kindRack:
		return inv.NetBoxLink(x.racks[id].NetBox, x.racks[id].Pos)
	case kindPower:
		return inv.NetBoxLink(x.power[id].NetBox, x.power[id].Pos)
	case kindDevice:
		return inv.NetBoxLink(x.devices[id].NetBox, x.devices[id].Pos)
	case kindService:
		return inv.NetBoxLink(x.services[id].NetBox, x.services[id].Pos)
	}
	if dev, part, ok := strings.Cut(id, "/"); ok {
		if d := x.devices[dev]; d != nil {
			for i := range d.PSUs {
				if d.PSUs[i].ID == part {
					return inv.NetBoxLink(d.PSUs[i].NetBox, d.PSUs[i].Pos)
				}
			}
		}
	}
	return ""
}

// netboxPaths maps a NetBox model to its UI path segment.
var netboxPaths = map[string]string{
	"dcim.site": "sites", "dcim.location": "locations", "dcim.rack": "racks",
	"dcim.powerpanel": "power-panels", "dcim.powerfeed": "power-feeds",
	"dcim.device": "devices", "dcim.powerport": "power-ports", "dcim.cable": "cables",
	"dcim.interface": "interfaces", "ipam.service": "services",
	"virtualization.cluster": "clusters",
}

// NetBoxModels lists the models a netbox identity may name.
func NetBoxModels() []string {
	out := make([]string, 0, len(netboxPaths))
	for k := range netboxPaths {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
