package inventory

// invalidCases: one small bad inventory per error class, with every message
// it must produce, exactly, at its position. F stands for the file name.
var invalidCases = []struct {
	name string
	want []string
}{
	{"bad-enum", []string{
		`F:10:21: unknown kind "swich"; did you mean "switch"?`,
	}},
	{"bad-link-end", []string{
		`F:12:9: bad link end "sw1"; write "device:port", e.g. "db-1:eno1"`,
	}},
	{"bad-raid", []string{
		`F:14:24: unknown raid "raid2"; did you mean "raid0"?`,
	}},
	{"bad-version", []string{
		`F:1:10: unsupported inventory version 2; this build reads version 1`,
	}},
	{"dangling-device-rack", []string{
		`F:10:35: unknown rack "r1"; did you mean "r01"?`,
	}},
	{"dangling-input", []string{
		`F:9:52: unknown power input "feed-b"; did you mean "feed-a"?`,
	}},
	{"dangling-link", []string{
		`F:12:22: unknown device "sw2"; did you mean "sw1"?`,
	}},
	{"dangling-member", []string{
		`F:12:30: unknown member "db-2"; did you mean "db-1"?`,
	}},
	{"dangling-pdu", []string{
		`F:16:25: unknown pdu "pdu-r1-b"; did you mean "pdu-r01-b"?`,
	}},
	{"dangling-rack-site", []string{
		`F:5:21: unknown site "lon2"; did you mean "lon1"?`,
	}},
	{"dangling-requires", []string{
		`F:12:44: unknown service "ap"; did you mean "app"?`,
	}},
	{"dangling-root", []string{
		`F:12:19: unknown device "core-2"; did you mean "core-1"?`,
	}},
	{"duplicate-id", []string{
		`F:10:10: duplicate id "r01"; ids are unique across sites, racks, power, devices and services; the first is at line 5`,
	}},
	{"duplicate-key", []string{
		`F:5:5: duplicate key "name" in a site (first at line 4); remove one of them`,
	}},
	{"duplicate-psu", []string{
		`F:15:14: duplicate psu "PSU1" in "sw1"; psu ids are unique within a device`,
	}},
	{"empty", []string{
		`F:1:1: the file is empty: start it with "version: 1"`,
	}},
	{"invalid-id", []string{
		`F:3:10: invalid id "lon 1"; use letters, digits, '.', '_' and '-' only, starting with a letter or digit`,
	}},
	{"psu-input", []string{
		`F:15:52: input "feed-c" of psu sw1/PSU1 is not an input of "pdu-r01"; name one of "pdu-r01"'s inputs: "feed-a", "feed-b"`,
		`F:16:27: psu sw1/PSU2 has an input but no pdu; add "pdu: ID": the PDU whose input it is`,
		`F:17:40: input "feed-b" of psu sw1/PSU3 is not an input of "feed-a"; "feed-a" has no inputs; leave input out`,
	}},
	{"cable-id-taken", []string{
		`F:11:47: cable id "leaf-2" is also the id of a device; give the cable an id of its own`,
		`F:12:47: cable id "leaf-2" is also the id of a device; give the cable an id of its own`,
	}},
	{"link-end-twice", []string{
		`F:14:22: link end "sw1:e1" used twice; a port takes one cable; the other is at line 13`,
	}},
	{"malformed-secret", []string{
		`F:14:74: malformed secret reference in password; write ${env:NAME} or ${file:PATH}`,
	}},
	{"merge-key", []string{
		`F:5:5: rack "r01" has no site; add "site: ID"`,
		`F:5:6: merge key in a rack; write the keys out; merge keys (<<) are not supported`,
	}},
	{"min-psus", []string{
		`F:15:15: min_psus 2 is more than the psus of "sw1"; it has 1 psu`,
	}},
	{"min-up", []string{
		`F:12:39: min_up 2 is more than the members of "db"; it has 1 member`,
	}},
	{"missing-id", []string{
		`F:3:5: site without an id; give it an id: a short unique name`,
	}},
	{"negative-capacity", []string{
		`F:9:52: capacity_w must not be negative`,
	}},
	{"no-version", []string{
		`F:1:1: missing version; add "version: 1" at the top`,
	}},
	{"outlet-beyond", []string{
		`F:14:44: outlet 9 is beyond pdu "pdu-r01-a"'s 8 outlets; pdu "pdu-r01-a" has outlets 1..8`,
	}},
	{"outlet-zero", []string{
		`F:14:44: outlet 0; outlets are numbered from 1`,
	}},
	{"outlet-bad-id", []string{
		`F:14:44: invalid outlet "A 4"; write a number (7) or the PDU's outlet id (A4): letters, digits, '.', '_' and '-'`,
	}},
	{"outlet-float", []string{
		`F:14:44: outlet must be a whole number or an outlet id, not "1.5"; write a number (7) or the PDU's outlet id (A4)`,
	}},
	{"outlet-named-twice", []string{
		`F:19:44: outlet A4 of "pdu-r01-a" is already used by sw1/PSU1; one plug per outlet`,
		`F:22:44: outlet 4 of "pdu-r01-a" is already used by sw2/PSU3; one plug per outlet`,
	}},
	{"outlet-twice", []string{
		`F:19:44: outlet 3 of "pdu-r01-a" is already used by sw1/PSU1; one plug per outlet`,
	}},
	{"plaintext-secret-strict", []string{
		`F:15:74: plaintext password in the inventory (an error with --strict); write it as ${env:NAME} or ${file:PATH}`,
	}},
	{"power-cycle", []string{
		`F:10:37: cycle in the power chain: ups-1 -> ups-2 -> ups-1; power must flow one way: remove one of these inputs`,
	}},
	{"power-self-input", []string{
		`F:9:37: power node "ups-1" feeds itself`,
	}},
	{"raid-drives", []string{
		`F:14:41: raid5 needs at least 3 drives, not 2`,
	}},
	{"raid10-odd", []string{
		`F:14:42: raid10 needs an even number of drives, not 5; raid10 mirrors drives in pairs`,
	}},
	{"redfish-endpoint", []string{
		`F:14:27: redfish endpoint "ftp://10.0.0.5" must start with https://; write https://HOST[:PORT] (http:// for labs)`,
	}},
	{"reliability-bad-values", []string{
		`F:22:16: afr -1 of defaults.psu is out of range; afr is expected failures a year, from 0 to 365: 0.02 is one in fifty a year`,
		`F:22:28: repair must be a duration, not "8 hours"; write a duration with its unit: 8h, 30m, 2h30m or 3d`,
		`F:24:15: s1 would be down all year: 100 failures a year × 2400h repair; afr × repair must be well under a year; check the figures' units`,
		`F:25:21: unknown key "mttr" in a reliability rate; known keys are afr, repair`,
	}},
	{"reliability-unknown-component", []string{
		`F:22:5: unknown part "s1/PSU2" in reliability components; did you mean "s1/PSU1"?`,
		`F:23:5: unknown drive "s1/os/2" in reliability components; drives of "s1/os" are numbered 0 to 1`,
		`F:24:5: unknown link "sw1:e1~s1:eno1" in reliability components; the link is written the other way round: "s1:eno1~sw1:e1"`,
		`F:25:5: "web" is a service, not a component; a service fails through its members: give their figures`,
		`F:26:5: unknown component "sw2" in reliability components; did you mean "sw1"?`,
		`F:27:5: cable "c-1" in reliability components carries one link only: it is that link, not a component of its own; give the link's figure under its key "s1:eno1~sw1:e1"`,
	}},
	{"reliability-unknown-kind", []string{
		`F:22:5: unknown key "swich" in reliability defaults; did you mean "switch"?`,
	}},
	{"service-cycle", []string{
		`F:13:39: cycle in services (requires): a -> b -> a; a service cannot depend on itself through others`,
	}},
	{"site-and-rack", []string{
		`F:9:46: power node "pdu-2" has both site and rack; a rack already names its site; keep only rack`,
	}},
	{"snmp-address", []string{
		`F:14:23: bad snmp address "10.0.0.1:70000": port "70000" is not 1-65535; write HOST or HOST:PORT, e.g. 10.1.0.21 or [::1]:161`,
	}},
	{"snmp-auth-protocol", []string{
		`F:14:79: unknown auth_protocol "SHA265"; did you mean "SHA256"?`,
	}},
	{"snmp-v3-incomplete", []string{
		`F:14:126: priv_protocol without priv_password; add priv_password`,
	}},
	{"syntax", []string{
		`F:2:1: YAML syntax: did not find expected '-' indicator`,
	}},
	{"tolerate", []string{
		`F:12:38: tolerate 3 is not supported; 0 (not analysed), 1 (single failures) or 2 (pairs)`,
	}},
	{"two-documents", []string{
		`F:2:1: YAML syntax: a second YAML document: keep one inventory per file`,
	}},
	{"unknown-key", []string{
		`F:10:40: unknown key "colour" in a device; known keys are id, kind, rack, position, model, serial, psus, min_psus, draw_w, storage, management, netbox`,
	}},
	{"unknown-top-key", []string{
		`F:2:1: unknown key "site" in the inventory; did you mean "sites"?`,
	}},
	{"utility-inputs", []string{
		`F:9:40: utility "grid" has inputs; remove inputs: a utility is a source`,
	}},
	{"wrong-kind-reference", []string{
		`F:10:35: "lon1" is a site, not a rack`,
	}},
	{"wrong-type-bool", []string{
		`F:12:32: dr must be true or false, not "maybe"; write true or false`,
	}},
	{"wrong-type-int", []string{
		`F:10:50: position must be a whole number, not "top"`,
	}},
	{"wrong-type-list", []string{
		`F:2:8: sites must be a list, not "lon1"; write it as a list: [a, b] or one "- item" a line`,
	}},
	{"wrong-type-mapping", []string{
		`F:3:5: sites must be a mapping of keys to values, not "lon1"`,
	}},
}
