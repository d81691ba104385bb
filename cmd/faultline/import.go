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

// importFlags are import's flags.
type importFlags struct {
	url, tokenFile, site, config, out, report, ca *string
	check                                         *bool
	timeout                                       *time.Duration
	pageSize, maxReq, maxObj                      *int
	maxBytes                                      *int64
	with                                          inventoryFlag
}

func importCommand(stdout, stderr io.Writer) (*cmdFlags, *importFlags) {
	c := newCmd("import", "netbox --url URL [--token-file F] [--site SLUG,…] [--config FILE] [-o FILE] [--check] [--report json]", []string{
		"faultline import netbox --url https://netbox.example.com --token-file ~/.netbox-token --config netbox.yaml -o inventory/netbox.yaml",
		"faultline import netbox --url https://netbox.example.com --config netbox.yaml -o inventory/netbox.yaml --check   # exit 1 when NetBox changed",
	}, stdout, stderr)
	f := &importFlags{
		url:       c.String("url", "", "the NetBox's base `URL`"),
		tokenFile: c.String("token-file", "", "API token `FILE` (or NETBOX_TOKEN); v2 tokens (nbt_…) are sent as Bearer"),
		site:      c.String("site", "", "import only these site `SLUGS` (comma-separated)"),
		config:    c.String("config", "", "import config `FILE` (roles, roots, upstream, services, management)"),
		out:       c.String("o", "", "write the inventory to `FILE` (- for stdout); the other *.yaml files of its directory are the hand-kept part it is validated with"),
		check:     c.Bool("check", false, "write nothing; exit 1 when the file would change"),
		report:    c.String("report", "text", "the import's report on stderr: text, or json (on stdout with -o FILE)"),
		ca:        c.String("ca", "", "PEM `FILE` of CAs to verify the NetBox with"),
		timeout:   c.Duration("timeout", 10*time.Minute, "deadline for the whole import"),
		pageSize:  c.Int("page-size", 1000, "objects asked per page"),
		maxReq:    c.Int("max-requests", 10000, "request budget"),
		maxObj:    c.Int("max-objects", 2000000, "object budget"),
		maxBytes:  c.Int64("max-bytes", 2<<30, "byte budget"),
	}
	c.Var(&f.with, "with", "a hand-kept inventory `FILE` or directory to validate with (repeatable; default: the other *.yaml files beside -o)")
	return c, f
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, f := importCommand(stdout, stderr)
	if code, ok := c.parse(args); !ok {
		return code
	}
	switch {
	case len(c.args) != 1 || c.args[0] != "netbox":
		return c.usageError("the source to import from: netbox")
	case *f.url == "" || *f.out == "":
		return c.usageError("--url and -o are required")
	case *f.report != "text" && *f.report != "json":
		return c.usageError("--report %q: use text or json", *f.report)
	}
	client, cfg, handKept, err := f.setup()
	if err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	var sites []string
	if *f.site != "" {
		sites = strings.Split(*f.site, ",")
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	res, err := netbox.Import(ctx, client, cfg, sites, *f.out, handKept)
	if err != nil {
		var ierr *inventory.Error
		if errors.As(err, &ierr) {
			for _, d := range ierr.Diagnostics {
				fmt.Fprintln(stderr, d)
			}
			fmt.Fprintf(stderr, "faultline: the imported inventory does not validate: %s not written\n", *f.out)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	printImportReport(res.Report, *f.report, *f.out, stdout, stderr)
	return writeImport(res.File, *f.out, *f.check, stdout, stderr)
}

// setup reads the token and the config, makes the client and reads the
// hand-kept part.
func (f *importFlags) setup() (*netbox.Client, *netbox.Config, []inventory.Source, error) {
	token := os.Getenv("NETBOX_TOKEN")
	if *f.tokenFile != "" {
		b, err := os.ReadFile(*f.tokenFile)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	cfg := &netbox.Config{}
	if *f.config != "" {
		var err error
		if cfg, err = netbox.LoadConfig(*f.config); err != nil {
			return nil, nil, nil, err
		}
	}
	client, err := netbox.New(netbox.Options{URL: *f.url, Token: token, CAFile: *f.ca, PageSize: *f.pageSize,
		MaxRequests: *f.maxReq, MaxObjects: *f.maxObj, MaxBytes: *f.maxBytes})
	if err != nil {
		return nil, nil, nil, err
	}
	handKept, err := handKeptSources(*f.out, f.with.files)
	if err != nil {
		return nil, nil, nil, err
	}
	return client, cfg, handKept, nil
}

// printImportReport writes the import's report: JSON on stdout (stderr
// when the inventory goes to stdout), or a line per issue and a summary
// on stderr.
func printImportReport(r netbox.Report, format, out string, stdout, stderr io.Writer) {
	if format == "json" {
		w := stdout
		if out == "-" {
			w = stderr
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r)
		return
	}
	for _, is := range r.Issues {
		fmt.Fprintf(stderr, "netbox %s %q: %s\n", is.NetBox, is.Name, is.Why)
	}
	fmt.Fprintf(stderr, "imported from %s (NetBox %s): %d sites, %d racks, %d power nodes, %d devices, %d links, %d services; %d issue(s); %d requests, %d objects, %d bytes\n",
		r.URL, r.Version, r.Counts["sites"], r.Counts["racks"], r.Counts["power_nodes"], r.Counts["devices"], r.Counts["links"], r.Counts["services"], len(r.Issues), r.Stats.Requests, r.Stats.Objects, r.Stats.Bytes)
}

// writeImport writes the file when it changed (atomically), or with
// check says whether it would change (exit 1).
func writeImport(file []byte, out string, check bool, stdout, stderr io.Writer) int {
	if out == "-" {
		stdout.Write(file)
		return exitOK
	}
	old, _ := os.ReadFile(out)
	if check {
		if bytes.Equal(old, file) {
			fmt.Fprintf(stderr, "%s: up to date\n", out)
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: would change: NetBox differs from the file; import again and commit\n", out)
		return exitFindings
	}
	if bytes.Equal(old, file) {
		return exitOK
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, file, 0o644); err != nil {
		fmt.Fprintf(stderr, "faultline: %v\n", err)
		return exitBadInput
	}
	if err := os.Rename(tmp, out); err != nil {
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
