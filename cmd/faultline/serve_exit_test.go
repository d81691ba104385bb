package main

import (
	"net"
	"strings"
	"testing"
)

// TestServeExitCodes: bad input exits 2 and a failure at run time exits
// 3, so that a supervisor (the systemd unit's RestartPreventExitStatus=2)
// restarts on the one and not on the other.
func TestServeExitCodes(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"listen address taken", []string{"serve", "--listen", taken.Addr().String(), "--interval", "0", repoInventory}, exitRuntime, "address already in use"},
		{"no such inventory", []string{"serve", "--listen", "127.0.0.1:0", "does-not-exist.yaml"}, exitBadInput, "does-not-exist.yaml"},
		{"bad log level", []string{"serve", "--log-level", "loud", repoInventory}, exitBadInput, "--log-level"},
		{"bad work limits", []string{"serve", "--work-workers", "-1", repoInventory}, exitBadInput, "work-workers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
