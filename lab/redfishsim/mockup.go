package redfishsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// mockup serves a Redfish mockup tree from disk, in the layout of DMTF's
// redfishMockupServer: DIR/index.json is /redfish/v1, DIR/Chassis/1U/
// index.json is /redfish/v1/Chassis/1U. Files are read and parsed on
// first use and kept.
type mockup struct {
	files map[string]string // canonical path → file
	lower map[string]string // lower-cased canonical path → file
	hosts []string          // old, new pairs for strings.NewReplacer
	feat  features

	mu    sync.Mutex
	cache map[string]map[string]any
}

// FromMockup serves the mockup tree in dir. Absolute links to other hosts
// are rewritten per opts.Hosts (a DMTF server's PSU links to an outlet on
// https://redfishpdu.contoso.com; map that host to wherever the PDU mockup
// is served). Link paths are matched without trailing slashes and, failing
// an exact match, without regard to case, as HPE iLO links need (its
// ComputerSystem links /redfish/v1/systems/1/bios/).
//
// $expand and $select are honoured as the mockup's service root advertises
// them (opts.Expand overrides). Hardware faults are not available on a
// mockup; protocol faults are.
func FromMockup(dir string, opts Options) (*Sim, error) {
	opts.defaults()
	m := &mockup{
		files: make(map[string]string),
		lower: make(map[string]string),
		cache: make(map[string]map[string]any),
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "index.json" {
			return nil
		}
		rel, err := filepath.Rel(dir, filepath.Dir(p))
		if err != nil {
			return err
		}
		path := rootPath
		if rel != "." {
			path = canonical(rootPath + "/" + filepath.ToSlash(rel))
		}
		m.files[path] = p
		m.lower[strings.ToLower(path)] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redfishsim: mockup %s: %w", dir, err)
	}
	if m.files[rootPath] == "" {
		return nil, fmt.Errorf("redfishsim: mockup %s: no index.json at its top (is it a mockup tree?)", dir)
	}
	for host, base := range opts.Hosts {
		base = strings.TrimRight(base, "/")
		m.hosts = append(m.hosts, "https://"+host, base, "http://"+host, base)
	}
	root := m.resource(rootPath)
	if root == nil {
		return nil, fmt.Errorf("redfishsim: mockup %s: service root is not a JSON object", dir)
	}
	m.feat = rootFeatures(root)
	return newSim(filepath.Base(dir), m, opts), nil
}

// rootFeatures reads ProtocolFeaturesSupported from a service root.
func rootFeatures(root map[string]any) features {
	pfs, _ := root["ProtocolFeaturesSupported"].(map[string]any)
	eq, _ := pfs["ExpandQuery"].(map[string]any)
	truth := func(m map[string]any, k string) bool { b, _ := m[k].(bool); return b }
	f := features{
		expand:    truth(eq, "NoLinks") || truth(eq, "ExpandAll") || truth(eq, "Links"),
		maxLevels: 1,
		sel:       truth(pfs, "SelectQuery"),
	}
	if n, ok := eq["MaxLevels"].(json.Number); ok && truth(eq, "Levels") {
		if v, err := n.Int64(); err == nil && v > 0 {
			f.maxLevels = int(min(v, 16))
		}
	}
	return f
}

func (m *mockup) resource(path string) map[string]any {
	file := m.files[path]
	if file == "" {
		file = m.lower[strings.ToLower(path)]
	}
	if file == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if doc, ok := m.cache[file]; ok {
		return doc
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	if len(m.hosts) > 0 {
		b = []byte(strings.NewReplacer(m.hosts...).Replace(string(b)))
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		doc = nil
	}
	m.cache[file] = doc
	return doc
}

func (m *mockup) version() uint64    { return 0 }
func (m *mockup) features() features { return m.feat }

func (m *mockup) setFaults(faults []Fault) error {
	if len(faults) > 0 {
		return ErrNeedsGenerated
	}
	return nil
}

func (m *mockup) reset(time.Time) error { return ErrNeedsGenerated }
