//go:build unix

package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadFileRefuses: only a regular file is read; a link to one (or
// through a linked directory), a FIFO, a device or a directory is refused
// with the path and what to do, and the linked file's content appears
// nowhere in the error.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	outside := t.TempDir()
	secret := filepath.Join(outside, "inventory.yaml")
	if err := os.WriteFile(secret, []byte(secretPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile("ok.yaml", []byte("version: 1\n"), 0o644))
	must(os.Symlink(secret, "link.yaml"))
	must(os.Symlink(outside, "linkdir"))
	must(os.Mkdir("real", 0o755))
	must(os.WriteFile(filepath.Join("real", "inventory.yaml"), []byte("version: 1\n"), 0o644))
	must(os.Mkdir("adir", 0o755))
	must(syscall.Mkfifo("fifo.yaml", 0o644))

	cases := []struct {
		name, path string
		want       string // in the error; "" = read fine
	}{
		{"regular file", "ok.yaml", ""},
		{"regular file in a real directory", "real/inventory.yaml", ""},
		{"absolute path", filepath.Join(dir, "ok.yaml"), ""},
		{"symbolic link", "link.yaml", "link.yaml: not a regular file: it is a symbolic link"},
		{"absolute symbolic link", filepath.Join(dir, "link.yaml"), "is a symbolic link"},
		{"through a linked directory", "linkdir/inventory.yaml", "its directory linkdir is a symbolic link"},
		{"a directory", "adir", "adir: not a regular file: it is a directory"},
		{"a fifo", "fifo.yaml", "it is a named pipe (FIFO)"},
		{"a device", "/dev/null", "it is a device"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ReadFile(tc.path)
			if tc.want == "" {
				if err != nil || string(data) != "version: 1\n" {
					t.Fatalf("ReadFile(%s) = %q, %v", tc.path, data, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadFile(%s) read %d bytes, want an error", tc.path, len(data))
			}
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q (wrapping ErrNotRegular)", err, tc.want)
			}
			if strings.Contains(err.Error(), "PRIVATE") || strings.Contains(err.Error(), "MHcC") {
				t.Errorf("the error quotes the linked file: %v", err)
			}
			// Load says the same.
			if _, err := Load(tc.path, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want %q", err, tc.want)
			}
		})
	}
}
