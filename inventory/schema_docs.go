package inventory

// The descriptions of the inventory schema's keys, keyed "Type.key" after
// the Go struct that holds the key (see SchemaKeys). They are what an
// editor shows on hover; TestSchemaDescribesEveryKey fails for a key of
// types.go without one here, and for an entry here that names no key, so
// a new key cannot be added without its description. Keep them in step
// with docs/inventory.md, which is the longer reference.

var schemaTypeDocs = map[string]string{
	"Inventory":    "A faultline inventory: the declared state of an estate. An inventory may be split over several files, each a version 1 document with any of the sections.",
	"Site":         "A building or campus: the largest unit that fails as one.",
	"Rack":         "A rack in a site.",
	"PowerNode":    "One node of the power chain: a source, a transfer switch, a UPS, a feed or a PDU. A node with inputs is up while any one input is up.",
	"Device":       "A piece of hardware in a rack.",
	"PSU":          "One power supply of a device, and what it is plugged into.",
	"Volume":       "A declared logical volume; its drives are named device/volume/N from 0.",
	"Management":   "How a device or power node is polled: over SNMP, Redfish, or both.",
	"SNMP":         "How to reach the device's SNMP agent (v2c or v3).",
	"Redfish":      "How to reach the device's Redfish service (a server's BMC, or a PDU).",
	"Link":         "A cable between two device ports, each written \"device:port\".",
	"Network":      "Where \"the network\" is: a device has network while a path of up links reaches a root.",
	"Service":      "Something people use, run by member devices or services.",
	"Policy":       "The audit's limits; every key is optional.",
	"Reliability":  "Annual failure rates and repair times for the reliability figures (unavailability and expected downtime per service). Optional: what it leaves out takes the built-in defaults listed in docs/reliability.md.",
	"RateDefaults": "Figures by component kind, laid over the built-in ones: the power node kinds, the device kinds, and site, rack, psu, drive, link and cable.",
	"Rate":         "An annual failure rate and a repair time; either may be left out and is then the kind's.",
}

var schemaDocs = map[string]string{
	"Inventory.version":  "The format version: 1. Required in every file.",
	"Inventory.sites":    "Buildings or campuses.",
	"Inventory.racks":    "Racks in sites.",
	"Inventory.power":    "The power chain: utility, generator, ats, ups, feed and pdu nodes.",
	"Inventory.devices":  "Hardware in racks: servers, switches, routers, firewalls, storage, appliances.",
	"Inventory.links":    "Cables between device ports.",
	"Inventory.network":  "The network roots.",
	"Inventory.services": "What people use, and what runs it.",
	"Inventory.policy":   "Audit limits (load, inlet temperature, pairs reported).",
	"Inventory.netbox":   "The URL of the NetBox a generated file was imported from (written by faultline import netbox).",

	"Site.id":     "Unique id across the whole inventory: letters, digits, '.', '_' and '-'.",
	"Site.name":   "A name for people.",
	"Site.netbox": "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"Rack.id":     "Unique id across the whole inventory.",
	"Rack.site":   "The id of the site the rack stands in.",
	"Rack.room":   "Hall or room, for people.",
	"Rack.netbox": "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"PowerNode.id":         "Unique id across the whole inventory.",
	"PowerNode.kind":       "The node's role in the power chain.",
	"PowerNode.site":       "The site of a node that is not in a rack.",
	"PowerNode.rack":       "The rack a PDU is mounted in (give site or rack, not both).",
	"PowerNode.inputs":     "Ids of the power nodes that feed it; it is up while any one input is up.",
	"PowerNode.capacity_w": "The most it can carry, in watts; enables the overload rules.",
	"PowerNode.outlets":    "A PDU's outlet count; numbered PSU outlets are checked against it.",
	"PowerNode.model":      "Model, compared with what the device reports.",
	"PowerNode.serial":     "Serial number, compared with what the device reports.",
	"PowerNode.management": "How to poll it: PDUs and UPSes over SNMP, PDUs also over Redfish.",
	"PowerNode.netbox":     "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",
	"PowerNode.supply":     "The node's own supply when it is not what its inputs say: unknown (e.g. a PDU whose input has no cable) or off (a feed planned, offline or failed). Either way it is no source of power, and what hangs on it is unknown.",

	"Device.id":         "Unique id across the whole inventory.",
	"Device.kind":       "What the device is; switches, routers and firewalls forward traffic.",
	"Device.rack":       "The id of the rack it is in.",
	"Device.position":   "Rack unit.",
	"Device.model":      "Model, compared with what the device reports (drift).",
	"Device.serial":     "Serial number, compared with what the device reports (drift).",
	"Device.psus":       "Its power supplies; none means its power is not modelled (it counts as powered).",
	"Device.min_psus":   "PSUs needed to run; default 1.",
	"Device.draw_w":     "Power drawn, in watts; an observed figure wins when collected.",
	"Device.storage":    "Declared volumes; observed volumes win when collected.",
	"Device.management": "How to poll it: Redfish for servers, SNMP for switches.",
	"Device.netbox":     "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"PSU.id":     "Unique within the device, e.g. PSU1; named device/PSU1 elsewhere.",
	"PSU.pdu":    "The id of the power node it is plugged into: normally a PDU, or any power node (a whip straight from a feed). Without it the PSU has no known source: never a live source, and the device's power redundancy is unknown.",
	"PSU.outlet": "The outlet, as the PDU names it: 7 on a PDU that numbers its outlets, A4 on one that names them by branch.",
	"PSU.input":  "On a PDU whose outlets are split between its inputs (a bank-split PDU, not a transfer switch): the input, one of the PDU's inputs, that this outlet draws from. The PSU is then up while the PDU itself and that input are, whatever the other inputs do, and its load flows to that input.",
	"PSU.match":  "The exact name the device reports for this PSU, e.g. \"Switch 1 Power Supply Module 1\".",
	"PSU.netbox": "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"Volume.id":     "Unique within the device.",
	"Volume.raid":   "The RAID level.",
	"Volume.drives": "Number of drives: single exactly 1; raid1 at least 2; raid5 at least 3; raid6 at least 4; raid10 at least 4 and even.",

	"Management.snmp":    "Poll over SNMP.",
	"Management.redfish": "Poll over Redfish.",

	"SNMP.address":       "The agent: host or host:port (port 161 by default).",
	"SNMP.version":       "2c (default) or 3.",
	"SNMP.community":     "The v2c community: a secret, written ${env:NAME} or ${file:PATH}.",
	"SNMP.username":      "The v3 user.",
	"SNMP.auth_protocol": "v3 authentication: MD5, SHA, SHA224, SHA256, SHA384 or SHA512.",
	"SNMP.auth_password": "v3 authentication password: a secret, ${env:NAME} or ${file:PATH}.",
	"SNMP.priv_protocol": "v3 privacy: DES, AES, AES192, AES256, AES192C or AES256C; needs auth_protocol.",
	"SNMP.priv_password": "v3 privacy password: a secret, ${env:NAME} or ${file:PATH}.",
	"SNMP.context":       "SNMPv3 context name.",

	"Redfish.endpoint": "https://HOST[:PORT]; http:// is accepted for labs.",
	"Redfish.username": "The account; a read-only one is enough.",
	"Redfish.password": "A secret, written ${env:NAME} or ${file:PATH}.",
	"Redfish.ca":       "PEM file of CAs to verify the certificate with, relative to the inventory file.",
	"Redfish.insecure": "Skip certificate verification (always a warning).",
	"Redfish.auth":     "basic (default) or session; session logs in and always logs out after the poll.",

	"Link.a":      "One end, \"device:port\".",
	"Link.b":      "The other end, \"device:port\".",
	"Link.cable":  "The physical cable; links naming one cable are one cable with several ends (a breakout, a bundle) and may share a port. A cable that carries several links is one component: its failure cuts every link it carries, and findings name it by this id, which must name no other entry.",
	"Link.netbox": "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"Network.roots": "Device ids where the network is: usually the core or spine switches, or border routers.",

	"Service.id":       "Unique id across the whole inventory.",
	"Service.members":  "Ids of the devices or services that run it.",
	"Service.min_up":   "Members that must be available for it to be up; default 1.",
	"Service.tolerate": "Simultaneous failures it must survive: 0 is not analysed, 1 (default) finds single points of failure, 2 also finds pairs.",
	"Service.failover": "Whether a person must act when a member fails; default automatic.",
	"Service.dr":       "It must also survive the loss of a whole site.",
	"Service.requires": "Ids of the services it cannot run without.",
	"Service.netbox":   "The entry's identity in the NetBox it was imported from, \"app.model/id\" (e.g. \"dcim.device/27\"); written by faultline import netbox, used to link findings back to NetBox.",

	"Inventory.reliability": "Annual failure rates and repair times, by kind and per component, for the reliability figures; optional.",

	"Reliability.defaults":   "Figures by component kind, laid over the built-in defaults.",
	"Reliability.components": "Figures of single components, keyed as findings name them: a plain id for a site, rack, power node or device; device/psu for a PSU; device/volume/N for a drive; a:port~b:port for a link; the cable id for a cable that carries several links. A rate here overrides its kind's, key by key.",

	"Rate.afr":               "Annual failure rate: expected failures a year, a number >= 0 (0.02: one in fifty fails in a year).",
	"Rate.repair":            "Mean time to repair: from the failure to working again, as a duration with its unit: 8h, 30m, 2h30m, 3d.",
	"RateDefaults.site":      "A site (counts only for services with dr: true).",
	"RateDefaults.rack":      "A rack (its own failures: a rack-wide fault, not its devices').",
	"RateDefaults.utility":   "A utility supply.",
	"RateDefaults.generator": "A generator.",
	"RateDefaults.ats":       "An automatic transfer switch.",
	"RateDefaults.ups":       "A UPS.",
	"RateDefaults.panel":     "A distribution panel or switchboard.",
	"RateDefaults.feed":      "A feed.",
	"RateDefaults.pdu":       "A PDU.",
	"RateDefaults.server":    "A server (its chassis: PSUs and drives have their own figures).",
	"RateDefaults.switch":    "A switch.",
	"RateDefaults.router":    "A router.",
	"RateDefaults.firewall":  "A firewall.",
	"RateDefaults.storage":   "A storage system.",
	"RateDefaults.appliance": "An appliance.",
	"RateDefaults.psu":       "A device's power supply.",
	"RateDefaults.drive":     "A drive of a declared volume.",
	"RateDefaults.link":      "A cable, with its two transceivers.",
	"RateDefaults.cable":     "A cable that carries several links (a breakout, a bundle: links naming one cable): its shared part; each link keeps its own figure.",

	"Policy.max_load_pct": "A power node above this share of its capacity_w is overloaded; default 80.",
	"Policy.inlet_max_c":  "Inlet temperature limit in °C; default 27.",
	"Policy.max_pairs":    "Double-fault pairs reported per service at most; default 50.",
}
