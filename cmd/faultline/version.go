package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

func init() {
	register("version", "print the version and build", runVersion)
}

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
// Without it, the module version from the build info is used (a tagged
// "go install" has one; a build from a checkout reads "(devel)").
var version = ""

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("version", "", []string{"faultline version"}, stdout, stderr)
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(version, bi, ok))
	return exitOK
}

// versionLine is "faultline VERSION (GO, commit REV[, modified], TIME)".
func versionLine(override string, bi *debug.BuildInfo, ok bool) string {
	v := override
	if v == "" && ok {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(unknown)"
	}
	parts := []string{runtime.Version()}
	if ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			p := "commit " + rev
			if settings["vcs.modified"] == "true" {
				p += ", modified"
			}
			parts = append(parts, p)
		}
		if t := settings["vcs.time"]; t != "" {
			parts = append(parts, t)
		}
		parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH)
	}
	return fmt.Sprintf("faultline %s (%s)", v, strings.Join(parts, ", "))
}
