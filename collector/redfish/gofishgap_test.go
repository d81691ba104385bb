package redfish_test

import (
	"encoding/json"

	"github.com/stmcginnis/gofish/schemas"
)

type gofishGap struct {
	path   string
	decode func([]byte) error
}

// gofishGaps are mockup resources gofish v0.26.0 cannot decode at all.
var gofishGaps = []gofishGap{
	{"dmtf-public-bladed/Chassis/MultiBladeEncl/Power", func(b []byte) error { return json.Unmarshal(b, new(schemas.Power)) }},
	{"dmtf-public-tower/Chassis/Tower/Drives/M.2-2", func(b []byte) error { return json.Unmarshal(b, new(schemas.Drive)) }},
	{"dmtf-public-tower/Systems/437XR1238R2/Storage/HAFiberChannel/Volumes/RenderStorage", func(b []byte) error { return json.Unmarshal(b, new(schemas.Volume)) }},
}
