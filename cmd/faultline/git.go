package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
)

// gitTimeout bounds each git command diff --base runs.
const gitTimeout = 30 * time.Second

// git runs the git binary in dir and returns its standard output.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()
	sub := args[0] // the subcommand, after any global options
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			sub = a
			break
		}
	}
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errors.New("the git binary is not on PATH: --base needs it")
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("git %s: no answer within %s", sub, gitTimeout)
		}
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", sub, msg)
	}
	return out.Bytes(), nil
}

// repoPath is file's path relative to the root of the git repository
// that holds it (for git show REF:PATH and for annotations).
func repoPath(ctx context.Context, file string) (string, error) {
	dir := filepath.Dir(file)
	prefix, err := git(ctx, dir, "rev-parse", "--show-prefix")
	if err != nil {
		return "", fmt.Errorf("%s is not in a git repository (%w): run diff --base inside the repository's working tree, or give both files: faultline diff OLD NEW", file, err)
	}
	return strings.TrimSpace(string(prefix)) + filepath.Base(file), nil
}

// gitShow reads file as it is at ref from git's object store, never from
// the working tree or through a link: the tree entry at REF:PATH must be a
// regular file (a blob of mode 100644 or 100755), and its blob is read by
// object id within inventory.MaxFileBytes. A symbolic link committed in
// place of the inventory (mode 120000) is refused. The name it returns
// ("REF:PATH") is how messages and the diff call that side.
func gitShow(ctx context.Context, ref, file string) ([]byte, string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, "", fmt.Errorf("--base %q: want a git revision, like origin/main", ref)
	}
	path, err := repoPath(ctx, file)
	if err != nil {
		return nil, "", err
	}
	dir := filepath.Dir(file)
	if _, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, "", fmt.Errorf("--base %s: no such revision in the repository at %s (in CI, fetch it first: git fetch origin main)", ref, dir)
	}
	return gitBlob(ctx, dir, ref, path)
}

// gitBlob reads the file at path (relative to the repository's root) as it
// is at ref, from git's object store only: the tree entry must be a
// regular file (a blob of mode 100644 or 100755), and its blob is read by
// object id within inventory.MaxFileBytes. A symbolic link committed in
// place of an inventory (mode 120000) is refused.
func gitBlob(ctx context.Context, dir, ref, path string) ([]byte, string, error) {
	name := ref + ":" + path
	entry, err := git(ctx, dir, "--literal-pathspecs", "ls-tree", "-z", "--full-tree", ref+"^{commit}", "--", path)
	if err != nil {
		return nil, "", fmt.Errorf("--base %s: %w", ref, err)
	}
	mode, typ, oid, ok := parseTreeEntry(entry, path)
	if !ok {
		return nil, "", fmt.Errorf("--base %s: %s does not exist at %s (a new file? then there is nothing to compare with)", ref, path, ref)
	}
	switch {
	case mode == "120000":
		return nil, "", fmt.Errorf("--base %s: %s is a symbolic link at %s: inventories are read only as regular files (a link could point at any file of the CI runner); commit the file itself", ref, path, ref)
	case typ != "blob" || (mode != "100644" && mode != "100755"):
		return nil, "", fmt.Errorf("--base %s: %s is not a regular file at %s (a %s of mode %s): give an inventory file", ref, path, ref, typ, mode)
	}
	size, err := git(ctx, dir, "cat-file", "-s", oid)
	if err != nil {
		return nil, "", fmt.Errorf("--base %s: %s: %w", ref, path, err)
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(string(size)), 10, 64); err != nil || n > inventory.MaxFileBytes {
		return nil, "", fmt.Errorf("--base %s: %s is over %d MiB at %s: split it into several files", ref, path, inventory.MaxFileBytes>>20, ref)
	}
	data, err := git(ctx, dir, "cat-file", "blob", oid)
	if err != nil {
		return nil, "", fmt.Errorf("--base %s: %s: %w", ref, path, err)
	}
	return data, name, nil
}

// parseTreeEntry reads the one entry of git ls-tree -z for path:
// "MODE TYPE OID\tPATH\x00".
func parseTreeEntry(out []byte, path string) (mode, typ, oid string, ok bool) {
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, p, found := strings.Cut(rec, "\t")
		if !found || p != path {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 3 {
			return "", "", "", false
		}
		return f[0], f[1], f[2], true
	}
	return "", "", "", false
}

// gitShowSources reads an inventory's files and directories as they are
// at ref. A directory is its *.yaml files at ref (a file added since is
// not on the old side; one removed since is). The name is how messages
// call the old side.
func gitShowSources(ctx context.Context, ref string, paths []string) ([]inventory.Source, string, error) {
	var srcs []inventory.Source
	var names []string
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, "", fmt.Errorf("inventory: %w", err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return nil, "", fmt.Errorf("inventory: %s is a symbolic link: inventories are read only as regular files and directories (a link could point at any file of the CI runner); give the path itself", p)
		}
		if !fi.IsDir() {
			data, name, err := gitShow(ctx, ref, p)
			if err != nil {
				return nil, "", err
			}
			srcs = append(srcs, inventory.Source{Name: name, Data: data})
			names = append(names, name)
			continue
		}
		if ref == "" || strings.HasPrefix(ref, "-") {
			return nil, "", fmt.Errorf("--base %q: want a git revision, like origin/main", ref)
		}
		prefix, err := git(ctx, p, "rev-parse", "--show-prefix")
		if err != nil {
			return nil, "", fmt.Errorf("%s is not in a git repository (%w): run diff --base inside the repository's working tree, or give both sides: faultline diff OLD NEW", p, err)
		}
		dir := strings.TrimSuffix(strings.TrimSpace(string(prefix)), "/")
		if _, err := git(ctx, p, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
			return nil, "", fmt.Errorf("--base %s: no such revision in the repository at %s (in CI, fetch it first: git fetch origin main)", ref, p)
		}
		list, err := git(ctx, p, "ls-tree", "--name-only", "--full-tree", ref+":"+dir)
		if err != nil {
			return nil, "", fmt.Errorf("--base %s: directory %s does not exist at %s: %w", ref, dir, ref, err)
		}
		n := 0
		for _, f := range strings.Split(strings.TrimSpace(string(list)), "\n") {
			if !strings.HasSuffix(f, ".yaml") || strings.HasPrefix(f, ".") {
				continue
			}
			data, name, err := gitBlob(ctx, p, ref, path.Join(dir, f))
			if err != nil {
				return nil, "", err
			}
			srcs = append(srcs, inventory.Source{Name: name, Data: data})
			n++
		}
		if n == 0 {
			return nil, "", fmt.Errorf("--base %s: directory %s holds no *.yaml file at %s", ref, dir, ref)
		}
		names = append(names, ref+":"+dir+"/")
	}
	return srcs, strings.Join(names, ","), nil
}
