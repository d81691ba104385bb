package inventory

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/faultline/faultline/escape"
)

// MaxFileBytes bounds the size of one inventory file: far above a
// million-component fleet's, far below what would exhaust a CI runner.
const MaxFileBytes = 1 << 30

// ErrNotRegular is wrapped by ReadFile's error when the path names a
// symbolic link, a directory, a FIFO, a device or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads an inventory file as a regular file and nothing else. A
// symbolic link is refused, and so is a relative path that passes through
// one (a directory of the repository replaced by a link): in CI the
// inventory comes from a pull request, which could otherwise point it at
// any file of the runner and have its content quoted in error messages.
// FIFOs, devices, sockets and directories are refused too (they would
// block, or never end), and so is a file over MaxFileBytes. The error
// names the path and says what to do.
func ReadFile(path string) ([]byte, error) {
	fi, err := Stat(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	// The file opened must be the one checked: a swap between the check
	// and the open is refused.
	ofi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if !os.SameFile(fi, ofi) {
		return nil, fmt.Errorf("inventory: %s changed while it was being opened: run again", escape.Terminal(path))
	}
	if err := regular(path, ofi); err != nil {
		return nil, err
	}
	return readBounded(path, f)
}

// readBounded reads an opened inventory file within MaxFileBytes.
func readBounded(path string, f io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("inventory: %s is over %d MiB: split it into several files", escape.Terminal(path), MaxFileBytes>>20)
	}
	return data, nil
}

// Stat checks path as ReadFile does, without reading it.
func Stat(path string) (fs.FileInfo, error) {
	if err := noLinks(path); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	return fi, nil
}

// regular refuses anything but a regular file within MaxFileBytes.
func regular(path string, fi fs.FileInfo) error {
	p := escape.Terminal(path)
	m := fi.Mode()
	switch {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("inventory: %s: %w: it is a symbolic link, and inventories are read only as regular files (a pull request could link it to any file of the CI runner); give the path of the file itself", p, ErrNotRegular)
	case m.IsDir():
		return fmt.Errorf("inventory: %s: %w: it is a directory; give an inventory file", p, ErrNotRegular)
	case !m.IsRegular():
		return fmt.Errorf("inventory: %s: %w: it is a %s; give an inventory file", p, ErrNotRegular, kindOf(m))
	case fi.Size() > MaxFileBytes:
		return fmt.Errorf("inventory: %s is over %d MiB: split it into several files", p, MaxFileBytes>>20)
	}
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// noLinks refuses a relative path one of whose directories is a symbolic
// link: below the working directory (the repository's checkout in CI)
// nothing is followed. An absolute path is the caller's own choice and
// only its last element is checked (by ReadFile).
func noLinks(path string) error {
	if filepath.IsAbs(path) {
		return nil
	}
	dir := filepath.Dir(filepath.Clean(path))
	if dir == "." {
		return nil
	}
	var walked string
	for _, part := range strings.Split(dir, string(filepath.Separator)) {
		walked = filepath.Join(walked, part)
		if part == ".." || part == "." {
			continue
		}
		fi, err := os.Lstat(walked)
		if err != nil {
			return fmt.Errorf("inventory: %w", err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("inventory: %s: %w: its directory %s is a symbolic link, and inventories are read only through real directories (a pull request could link it anywhere on the CI runner); give the path without the link", escape.Terminal(path), ErrNotRegular, escape.Terminal(walked))
		}
	}
	return nil
}
