package api

import (
	"encoding/json"
	"testing"
)

// TestDeviceFindingsAgree: the findings count of each device in
// /devices is the number of findings /devices/:id lists, and some device
// has findings (the bundled inventory has several).
func TestDeviceFindingsAgree(t *testing.T) {
	s, _, _ := newTestServer(t, token)
	var list struct {
		Devices []struct {
			ID       string `json:"id"`
			Findings int    `json:"findings"`
		} `json:"devices"`
	}
	if err := json.Unmarshal(do(t, s, call{method: "GET", path: "/api/v1/devices"}).Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range list.Devices {
		var one struct {
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(do(t, s, call{method: "GET", path: "/api/v1/devices/" + d.ID}).Body.Bytes(), &one); err != nil {
			t.Fatal(err)
		}
		if len(one.Findings) != d.Findings {
			t.Errorf("%s: /devices counts %d findings, /devices/%s lists %d", d.ID, d.Findings, d.ID, len(one.Findings))
		}
		total += d.Findings
	}
	if total == 0 {
		t.Error("no device has a finding")
	}
}
