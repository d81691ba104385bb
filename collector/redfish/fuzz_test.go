package redfish

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary bytes, as a BMC might send them, to every
// decoder of BMC output: the resource structs, the inline index, and the
// link counters. None may panic; a decoded resource re-encodes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"@odata.id":"/redfish/v1/Systems/1/","Id":1,"Status":{"State":"Absent","Health":"Warning"}}`))
	f.Add([]byte(`{"Members":[{"@odata.id":"/a","Id":"a","Name":"x"},{"@odata.id":"/b"}],"Members@odata.nextLink":"/c"}`))
	f.Add([]byte(`{"PowerSupplies":[{"@odata.id":"/p#PowerSupplies/0","MemberId":0,"LineInputVoltage":"N/A"}],"PowerControl":{}}`))
	f.Add([]byte(`{"CapacityBytes":2.3e19,"Links":{"Drives":[{"@odata.id":"/d/0"}]},"RAIDType":"RAID6"}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"Storage":{"@odata.id":"/s","Members":[{"@odata.id":"/s/1","Drives":[{"@odata.id":"/d","Id":"d"}]}]}}`))
	base, _ := url.Parse("https://bmc.example")
	f.Fuzz(func(t *testing.T, b []byte) {
		docs := []any{
			&serviceRootDoc{}, &collectionDoc{}, &systemDoc{}, &chassisDoc{}, &managerDoc{},
			&powerSubsystemDoc{}, &powerSupplyDoc{}, &powerSupplyMetricsDoc{}, &legacyPowerDoc{},
			&environmentMetricsDoc{}, &storageDoc{}, &storageControllerDoc{}, &volumeDoc{}, &driveDoc{},
			&simpleStorageDoc{}, &ethernetInterfaceDoc{}, &networkAdapterDoc{}, &portDoc{},
			&thermalSubsystemDoc{}, &fanDoc{}, &thermalMetricsDoc{}, &legacyThermalDoc{},
		}
		for _, d := range docs {
			if decodeJSON(b, d) == nil {
				if _, err := json.Marshal(d); err != nil {
					t.Fatalf("%T decoded but does not encode: %v", d, err)
				}
			}
		}
		found := map[string][]byte{}
		walkInline(b, true, found, 0)
		for id := range found {
			canonicalRef(base, id)
		}
		bareLinks(b)
		bare, inline := linkCounts(b)
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) == nil {
			n := 0
			eachKey(b, func(key, _ []byte) {
				// encoding/json unescapes keys and replaces invalid UTF-8;
				// eachKey gives them raw.
				if _, ok := m[string(key)]; !ok && utf8.Valid(key) && !bytes.ContainsRune(key, '\\') {
					t.Fatalf("eachKey found key %q that encoding/json does not", key)
				}
				n++
			})
			if n < len(m) {
				t.Fatalf("eachKey found %d keys, encoding/json %d", n, len(m))
			}
		}
		if bare < 0 || inline < 0 {
			t.Fatal("negative counts")
		}
		var s rfStatus
		if decodeJSON(b, &s) == nil {
			bayCondition(s, predictsFailure(s))
		}
		var vol volumeDoc
		if decodeJSON(b, &vol) == nil {
			volumeOf(vol)
		}
		var d driveDoc
		if decodeJSON(b, &d) == nil {
			driveOf(d, 0)
		}
		var p powerSupplyDoc
		if decodeJSON(b, &p) == nil {
			pl := &poll{base: base}
			pl.psuOf(p, 0)
		}
		hpeBayNumber(b)
	})
}

// FuzzCanonicalRef: any link canonicalizes without panicking, and a
// canonical path is its own canonical form.
func FuzzCanonicalRef(f *testing.F) {
	for _, s := range []string{"/redfish/v1/", "/redfish/v1/Systems/1//", "https://h/redfish/v1/x", "/p#/PowerSupplies/0", "//", "", "?a=b", "https://h:1/%zz"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://h")
	f.Fuzz(func(t *testing.T, ref string) {
		p, foreign := canonicalRef(base, ref)
		if foreign {
			return
		}
		if again, _ := canonicalRef(base, p); again != p {
			t.Fatalf("canonicalRef(%q) = %q, but canonicalRef(%q) = %q", ref, p, p, again)
		}
		memberRef(base, ref)
		outletRef(base, ref)
		lastSegment(ref)
		refSegment(ref)
	})
}

// FuzzRAID: every input normalizes to one of the inventory's words or "".
func FuzzRAID(f *testing.F) {
	f.Add("RAID6", "", 4)
	f.Add("", "NonRedundant", 1)
	f.Add("None", "", 3)
	ok := map[string]bool{"": true, "raid0": true, "raid1": true, "raid5": true, "raid6": true, "raid10": true, "single": true}
	f.Fuzz(func(t *testing.T, raidType, volumeType string, drives int) {
		if got := RAID(raidType, volumeType, drives); !ok[got] {
			t.Fatalf("RAID(%q, %q, %d) = %q", raidType, volumeType, drives, got)
		}
	})
}

// FuzzRequestURL: whatever link a BMC serves, the request it leads to is
// on the endpoint's origin or refused; never on another host or port.
func FuzzRequestURL(f *testing.F) {
	for _, s := range []string{"/redfish/v1/", "@127.0.9.99:8000/redfish/v1/Systems/at", "9/redfish/v1", "//127.0.9.99/x",
		"https://127.0.9.99/x", "http://127.0.9.5:80/x", "https://u:p@127.0.9.5/x", "/a/../../b?$expand=.", "\\\\h\\x", "https:h/x", "%2F%2Fh/x"} {
		f.Add("http://127.0.9.5", s)
		f.Add("https://127.0.0.1:8443", s)
	}
	f.Fuzz(func(t *testing.T, endpoint, ref string) {
		base, err := url.Parse(endpoint)
		if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
			return
		}
		base = &url.URL{Scheme: base.Scheme, Host: base.Host}
		got, err := requestURL(base, ref)
		if err != nil {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("requestURL(%s, %q) = %q, which does not parse: %v", base, ref, got, err)
		}
		if u.Scheme != base.Scheme || u.Host != base.Host || u.User != nil {
			t.Fatalf("requestURL(%s, %q) = %q: off the origin", base, ref, got)
		}
	})
}
