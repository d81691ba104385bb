package redfishsim

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The generated tree's fixed layout.
const (
	sysPath   = rootPath + "/Systems/1"
	chPath    = rootPath + "/Chassis/1"
	mgrPath   = rootPath + "/Managers/1"
	storPath  = sysPath + "/Storage/1"
	nicPath   = chPath + "/NetworkAdapters/NIC1"
	driveSize = int64(960197124096)
)

type obj = map[string]any

func link(p string) obj { return obj{"@odata.id": p} }

func links(ps ...string) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = link(p)
	}
	return out
}

func status(state, health string) obj {
	s := obj{"State": state}
	if health != "" {
		s["Health"] = health
	}
	return s
}

func collection(path, typ, name string, members []string) obj {
	return obj{
		"@odata.id":           path,
		"@odata.type":         "#" + typ + "." + typ,
		"Name":                name,
		"Members":             links(members...),
		"Members@odata.count": len(members),
	}
}

func esc(s string) string { return url.PathEscape(s) }

// resource renders the resource at path from the current state.
func (g *generated) resource(path string) map[string]any {
	rest, ok := strings.CutPrefix(path, rootPath)
	if !ok {
		return nil
	}
	var seg []string
	for _, s := range strings.Split(strings.Trim(rest, "/"), "/") {
		if s == "" {
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil
		}
		seg = append(seg, u)
	}
	st := g.cur.Load()
	if len(seg) == 0 {
		return g.root()
	}
	switch seg[0] {
	case "Systems":
		return g.systems(st, seg[1:])
	case "Chassis":
		return g.chassis(st, seg[1:])
	case "Managers":
		return g.managers(st, seg[1:])
	case "SessionService":
		if len(seg) == 1 {
			return obj{
				"@odata.id": rootPath + "/SessionService", "@odata.type": "#SessionService.v1_1_8.SessionService",
				"Id": "SessionService", "Name": "Session Service", "ServiceEnabled": true, "SessionTimeout": int(sessionIdle.Seconds()),
				"Sessions": link(sessionsPath),
			}
		}
	}
	return nil
}

func (g *generated) root() obj {
	exp := g.feat.expand
	eq := obj{"ExpandAll": exp, "Levels": exp, "Links": exp, "NoLinks": exp}
	if exp {
		eq["MaxLevels"] = g.feat.maxLevels
	}
	return obj{
		"@odata.id":      rootPath,
		"@odata.type":    "#ServiceRoot.v1_15_0.ServiceRoot",
		"Id":             "RootService",
		"Name":           "Root Service",
		"RedfishVersion": "1.17.0",
		"UUID":           uuid(g.id),
		"Vendor":         "faultline lab",
		"Product":        "faultline BMC simulator",
		"ProtocolFeaturesSupported": obj{
			"ExpandQuery": eq, "SelectQuery": g.feat.sel, "FilterQuery": false,
			"OnlyMemberQuery": false, "MultipleHTTPRequests": true,
		},
		"Systems":        link(rootPath + "/Systems"),
		"Chassis":        link(rootPath + "/Chassis"),
		"Managers":       link(rootPath + "/Managers"),
		"SessionService": link(rootPath + "/SessionService"),
		"Links":          obj{"Sessions": link(sessionsPath)},
	}
}

func uuid(s string) string {
	a, b := hash32(s), hash32(s+"#")
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a, b>>16, b&0xffff, a>>16, uint64(a)<<16|uint64(b&0xffff))
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (g *generated) managers(st *state, seg []string) obj {
	switch {
	case len(seg) == 0:
		return collection(rootPath+"/Managers", "ManagerCollection", "Manager Collection", []string{mgrPath})
	case len(seg) == 1 && seg[0] == "1":
		return obj{
			"@odata.id": mgrPath, "@odata.type": "#Manager.v1_19_0.Manager",
			"Id": "1", "Name": "Lab BMC", "ManagerType": "BMC", "Manufacturer": "faultline lab",
			"Model": "Lab BMC 9", "FirmwareVersion": "7.10.30.00", "LastResetTime": rfc3339(st.managerReset),
			"PowerState": "On", "Status": status("Enabled", "OK"),
			"Links": obj{"ManagerForServers": links(sysPath), "ManagerForChassis": links(chPath)},
		}
	}
	return nil
}
