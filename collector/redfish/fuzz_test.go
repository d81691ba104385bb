package redfish

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/faultline/faultline/observation"
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

// FuzzPortNames: whatever names and systems a BMC gives its ports, the
// names come out unique (as model compares them, without regard to case),
// and a name that was unique is kept as it was.
func FuzzPortNames(f *testing.F) {
	f.Add("eno1\n1\neno1\n2\neno2\n1")
	f.Add("eno1\n1\neno1\n1\n1/eno1\nx")
	f.Add("\n\n\n\nA\n\na\n")
	f.Fuzz(func(t *testing.T, spec string) {
		lines := strings.Split(spec, "\n")
		var ps []observation.Port
		var owners []string
		for i := 0; i+1 < len(lines) && len(ps) < 64; i += 2 {
			ps = append(ps, observation.Port{Name: lines[i]})
			owners = append(owners, lines[i+1])
		}
		before := map[string]int{}
		for _, p := range ps {
			before[strings.ToLower(p.Name)]++
		}
		in := slices.Clone(ps)
		qualifyPorts(ps, owners)
		after := map[string]bool{}
		for i, p := range ps {
			k := strings.ToLower(p.Name)
			if after[k] {
				t.Fatalf("two ports named %q: %+v from %+v", p.Name, ps, in)
			}
			after[k] = true
			if before[strings.ToLower(in[i].Name)] == 1 && p.Name != in[i].Name {
				t.Fatalf("unique name %q became %q", in[i].Name, p.Name)
			}
		}
	})
}

// FuzzChooseInlet: the inlet is one of the sensors or none, never a
// sensor named after a component, and never one far hotter than another
// candidate of the same preference.
func FuzzChooseInlet(f *testing.F) {
	f.Add("CPU1 Temp\nIntake\n55\nInlet Temp\nIntake\n24")
	f.Add("Temp1\nIntake\n61\nTemp2\nIntake\n23")
	f.Add("System Board Inlet Temp\nSystemBoard\n21\nExhaust\nExhaust\n35")
	f.Fuzz(func(t *testing.T, spec string) {
		lines := strings.Split(spec, "\n")
		var ss []sensor
		for i := 0; i+2 < len(lines) && len(ss) < 64; i += 3 {
			c, err := strconv.ParseFloat(lines[i+2], 64)
			if err != nil {
				continue
			}
			ss = append(ss, sensor{name: lines[i], context: lines[i+1], celsius: c})
		}
		got := chooseInlet(ss)
		if got < -1 || got >= len(ss) {
			t.Fatalf("chooseInlet = %d of %d sensors", got, len(ss))
		}
		if got < 0 {
			return
		}
		s := ss[got]
		if componentWords.MatchString(s.name) {
			t.Fatalf("%q names a component and was chosen", s.name)
		}
		named := inletNamed(s.name)
		if !named && !strings.EqualFold(strings.TrimSpace(s.context), "Intake") {
			t.Fatalf("%+v is neither named nor typed an inlet", s)
		}
		if !named && len(ss) > 1 && !slices.ContainsFunc(ss, func(o sensor) bool { return !isIntake(o.context) }) {
			t.Fatalf("%+v chosen by a context that every sensor claims", s)
		}
		for _, o := range ss {
			if !componentWords.MatchString(o.name) && inletNamed(o.name) == named && (named || strings.EqualFold(strings.TrimSpace(o.context), "Intake")) && o.celsius+10 < s.celsius {
				t.Fatalf("chose %+v over %+v, more than 10 °C cooler", s, o)
			}
		}
	})
}

// FuzzScrub: whatever a BMC writes into an error body, the message
// reported is short, one line, and holds none of the poll's secrets.
func FuzzScrub(f *testing.F) {
	f.Add([]byte(`{"error":{"message":"bad request GET /redfish/v1 HTTP/1.1\r\nAuthorization: Basic YWRtaW46aHVudGVyMg==\r\n"}}`), uint16(0))
	f.Add([]byte("Unauthorized: header authorization=Bearer abc.def.ghi rejected"), uint16(9))
	f.Add([]byte("x-auth-token: 0123456789abcdef\x1b[31m"), uint16(3))
	f.Add([]byte(strings.Repeat("a", 300)), uint16(155))
	const user, pass = "admin", "hunter2"
	sc := newScrubber(user, pass)
	sc.add("tok-0123456789")
	secrets := []string{pass, "YWRtaW46aHVudGVyMg", "tok-0123456789"}
	f.Fuzz(func(t *testing.T, body []byte, at uint16) {
		// The BMC echoes a secret somewhere in its message.
		if len(body) > 0 {
			i := int(at) % (len(body) + 1)
			s := secrets[int(at)%len(secrets)]
			body = append(body[:i:i], append([]byte(s), body[i:]...)...)
		}
		msg := sc.clean(redfishMessage(body), maxMessage)
		if len(msg) > maxMessage+len("…") {
			t.Fatalf("message of %d bytes: %q", len(msg), msg)
		}
		for _, r := range msg {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, msg)
			}
		}
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Fatalf("secret %q in %q", s, msg)
			}
		}
	})
}

// FuzzCountMembers: the members counted before decoding are the members
// decoded, for any collection a BMC serves.
func FuzzCountMembers(f *testing.F) {
	f.Add([]byte(`{"Members":[{"@odata.id":"/a"},{"@odata.id":"/b"}],"Members@odata.nextLink":"/c"}`))
	f.Add([]byte(`{"Members":[]}`))
	f.Add([]byte(`{"Members":[1,"x",{"@odata.id":"/a"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c struct{ Members []json.RawMessage }
		n := countMembers(b)
		if json.Unmarshal(b, &c) != nil {
			return
		}
		if n < len(c.Members) && !bytes.Contains(b, []byte(`\`)) && utf8.Valid(b) && bytes.Count(b, []byte(`"Members"`)) == 1 {
			t.Fatalf("counted %d members, decoded %d", n, len(c.Members))
		}
	})
}

// FuzzMaxArray: the longest array counted by scanning bytes is the
// longest array encoding/json decodes, for any valid JSON.
func FuzzMaxArray(f *testing.F) {
	f.Add([]byte(`{"Temperatures":[{"a":[1,2,3]},{"b":"[,,,]"}],"x":[]}`))
	f.Add([]byte(`[[],[[1,2],[3]],"\"]",4]`))
	f.Add([]byte(`{"Members":[{"@odata.id":"/a"}]}`))
	var longest func(v any) int
	longest = func(v any) int {
		n := 0
		switch t := v.(type) {
		case []any:
			n = len(t)
			for _, e := range t {
				n = max(n, longest(e))
			}
		case map[string]any:
			for _, e := range t {
				n = max(n, longest(e))
			}
		}
		return n
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := maxArray(b)
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		if want := longest(v); got != want {
			t.Fatalf("maxArray = %d, encoding/json's longest array has %d elements", got, want)
		}
	})
}
