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
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, errors.New("the git binary is not on PATH: --base needs it")
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("git %s: no answer within %s", args[0], gitTimeout)
		}
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
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

// gitShow reads file as it is at ref, with the git binary. The name it
// returns ("REF:PATH") is how messages and the diff call that side.
func gitShow(ctx context.Context, ref, file string) ([]byte, string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return nil, "", fmt.Errorf("--base %q: want a git revision, like origin/main", ref)
	}
	path, err := repoPath(ctx, file)
	if err != nil {
		return nil, "", err
	}
	dir := filepath.Dir(file)
	name := ref + ":" + path
	if _, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, "", fmt.Errorf("--base %s: no such revision in the repository at %s (in CI, fetch it first: git fetch origin main)", ref, dir)
	}
	data, err := git(ctx, dir, "show", name)
	if err != nil {
		return nil, "", fmt.Errorf("--base %s: %s does not exist at %s (a new file? then there is nothing to compare with): %w", ref, path, ref, err)
	}
	return data, name, nil
}

// gitShowSources reads an inventory's files and directories as they are
// at ref. A directory is its *.yaml files at ref (a file added since is
// not on the old side; one removed since is). The name is how messages
// call the old side.
func gitShowSources(ctx context.Context, ref string, paths []string) ([]inventory.Source, string, error) {
	var srcs []inventory.Source
	var names []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, "", fmt.Errorf("inventory: %w", err)
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
			name := ref + ":" + path.Join(dir, f)
			data, err := git(ctx, p, "show", name)
			if err != nil {
				return nil, "", fmt.Errorf("--base %s: %w", ref, err)
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
