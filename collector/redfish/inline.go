package redfish

// The index of resources that came inline in this poll's expanded
// answers, for links that point across the tree.

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
)

// answered keeps an expanded answer, for the index.
func (pl *poll) answered(b []byte) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.answers = append(pl.answers, b)
}

// inlined looks a path up among the resources that came inline in this
// poll's expanded answers. Most resources are found where they came (a
// link's inline object); this index serves the links that point across
// the tree, and is built only when one is followed.
func (pl *poll) inlined(ctx context.Context, path string) []byte {
	pl.mu.Lock()
	pending := pl.answers[pl.indexed:]
	pl.indexed = len(pl.answers)
	pl.mu.Unlock()
	for _, b := range pending {
		if ctx.Err() != nil {
			return nil
		}
		pl.index(b)
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.inline[path]
}

// index records every resource that came inline in an answer (any object
// with an @odata.id and properties of its own, below the top), keyed by
// canonical path.
func (pl *poll) index(b []byte) {
	found := map[string][]byte{}
	walkInline(b, true, found, 0)
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for k, v := range found {
		p, foreign := canonicalRef(pl.base, k)
		if foreign || pl.ambiguous[p] {
			continue
		}
		if old, ok := pl.inline[p]; v == nil || ok && !bytes.Equal(old, v) {
			// Two different resources claim one @odata.id (DMTF
			// public-tower's NVMeSecondary volumes say they are
			// RAIDIntegrated's): trust neither, read that path itself.
			delete(pl.inline, p)
			pl.ambiguous[p] = true
			continue
		}
		pl.inline[p] = v
	}
}

func walkInline(b []byte, top bool, found map[string][]byte, depth int) {
	if depth > 32 {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return
	}
	if !top {
		var id string
		if raw, ok := m["@odata.id"]; ok && json.Unmarshal(raw, &id) == nil && id != "" && !strings.Contains(id, "#") && hasOwnProperties(m) {
			if old, dup := found[id]; dup && !bytes.Equal(old, b) {
				b = nil // claimed twice in one answer: index neither
			}
			found[id] = b
		}
	}
	for _, v := range m {
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			continue
		}
		switch v[0] {
		case '{':
			walkInline(v, false, found, depth+1)
		case '[':
			var arr []json.RawMessage
			if json.Unmarshal(v, &arr) == nil {
				for _, e := range arr {
					if e = bytes.TrimSpace(e); len(e) > 0 && e[0] == '{' {
						walkInline(e, false, found, depth+1)
					}
				}
			}
		}
	}
}

func hasOwnProperties(m map[string]json.RawMessage) bool {
	for k := range m {
		if !strings.HasPrefix(k, "@") {
			return true
		}
	}
	return false
}
