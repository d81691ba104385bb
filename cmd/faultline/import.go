package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/netbox"
)

func init() {
	register("import", "import an inventory from NetBox: faultline import netbox --url URL -o FILE", runImport)
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newCmd("import", "netbox --url URL [--token-file F] [--site SLUG,…] [--config FILE] [-o FILE] [--check] [--report json]", []string{
		"faultline import netbox --url https://netbox.example.com --token-file ~/.netbox-token --config netbox.yaml -o inventory/netbox.yaml",
		"faultline import netbox --url https://netbox.example.com --config netbox.yaml -o inventory/netbox.yaml --check   # exit 1 when NetBox changed",
	}, stdout, stderr)
	urlFlag := c.String("url", "", "the NetBox's base `URL`")
	tokenFile := c.String("token-file", "", "API token `FILE` (or NETBOX_TOKEN); v2 tokens (nbt_…) are sent as Bearer")
	siteFlag := c.String("site", "", "import only these site `SLUGS` (comma-separated)")
	configFile := c.String("config", "", "import config `FILE` (roles, roots, upstream, services, management)")
	out := c.String("o", "", "write the inventory to `FILE` (- for stdout); the other *.yaml files of its directory are the hand-kept part it is validated with")
	check := c.Bool("check", false, "write nothing; exit 1 when the file would change")
	reportFmt := c.String("report", "text", "the import's report on stderr: text, or json (on stdout with -o FILE)")
	caFile := c.String("ca", "", "PEM `FILE` of CAs to verify the NetBox with")
	timeout := c.Duration("timeout", 10*time.Minute, "deadline for the whole import")
	pageSize := c.Int("page-size", 1000, "objects asked per page")
	maxReq := c.Int("max-requests", 10000, "request budget")
	maxObj := c.Int("max-objects", 2000000, "object budget")
	maxBytes := c.Int64("max-bytes", 2<<30, "byte budget")
	var with inventoryFlag
	c.Var(&with, "with", "a hand-kept inventory `FILE` or directory to validate with (repeatable; default: the other *.yaml files beside -o)")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if len(c.args) != 1 || c.args[0] != "netbox" {
		return c.usageError("the source to import from: netbox")
	}
	if *urlFlag == "" || *out == "" {
		return c.usageError("--url and -o are required")
	}
	if *reportFmt != "text" && *reportFmt != "json" {
		return c.usageError("--report %q: use text or json", *reportFmt)
	}
	token := os.Getenv("NETBOX_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "faultline: token file: %v\n", err)
			return exitBadInput
		}
		token = strings.TrimSpace(string(b))
	}
	cfg := &netbox.Config{}
	if *configFile != "" {
		var err error
		if cfg, err = netbox.LoadConfig(*configFile); err != nil {
			fmt.Fprintf(stderr, "faultline: %v\n", err)
			return exitBadInput
		}
	}
	var sites []string
	if *siteFlag != "" {
		sites = strings.Split(*siteFlag, ",")
	}
	client, err := netbox.New(netbox.Options{URL: *urlFlag, Token: token, CAFile: *caFile, PageSize: *pageSize,
		MaxRequests: *maxReq, MaxObjects: *maxObj, MaxBytes: *maxBytes})
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	handKept, err := handKeptSources(*out, with.files)
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := netbox.Import(ctx, client, cfg, sites, *out, handKept)
	if err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			for _, d := range ierr.Diagnostics {
				fmt.Fprintln(stderr, d)
			}
			fmt.Fprintf(stderr, "faultline: the imported inventory does not validate: %s not written\n", *out)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if *reportFmt == "json" {
		w := stdout
		if *out == "-" {
			w = stderr
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(res.Report)
	} else {
		for _, is := range res.Report.Issues {
			fmt.Fprintf(stderr, "netbox %s %q: %s\n", is.NetBox, is.Name, is.Why)
		}
		r := res.Report
		fmt.Fprintf(stderr, "imported from %s (NetBox %s): %d sites, %d racks, %d power nodes, %d devices, %d links, %d services; %d issue(s); %d requests, %d objects, %d bytes\n",
			r.URL, r.Version, r.Counts["sites"], r.Counts["racks"], r.Counts["power_nodes"], r.Counts["devices"], r.Counts["links"], r.Counts["services"], len(r.Issues), r.Stats.Requests, r.Stats.Objects, r.Stats.Bytes)
	}
	if *out == "-" {
		stdout.Write(res.File)
		return exitOK
	}
	old, _ := os.ReadFile(*out)
	if *check {
		if bytes.Equal(old, res.File) {
			fmt.Fprintf(stderr, "%s: up to date\n", *out)
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: would change: NetBox differs from the file; import again and commit\n", *out)
		return exitFindings
	}
	if bytes.Equal(old, res.File) {
		return exitOK
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, res.File, 0o644); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	return exitOK
}

// handKeptSources are the files the import is validated with: --with, or
// the other *.yaml files in the output's directory.
func handKeptSources(out string, with []string) ([]inventory.Source, error) {
	if len(with) > 0 {
		return inventory.ReadFiles(with)
	}
	if out == "-" {
		return nil, nil
	}
	dir := filepath.Dir(out)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // a new directory: nothing hand-kept yet
	}
	var files []string
	for _, e := range entries {
		f := filepath.Join(dir, e.Name())
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") || strings.HasPrefix(e.Name(), ".") || filepath.Clean(f) == filepath.Clean(out) {
			continue
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, nil
	}
	return inventory.ReadFiles(files)
}
