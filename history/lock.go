//go:build unix

package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockName is the lock file in the data directory: one process at a
// time uses a directory, since two writers would interleave collections
// and fight over SQLite's write lock (SQLITE_BUSY).
const LockName = "faultline.lock"

// ErrLocked is returned (wrapped) by Open when another process holds the
// data directory.
var ErrLocked = errors.New("data directory in use")

// dirLock is an exclusive flock(2) on the lock file, held while the store
// is open; the kernel releases it when the process ends, however it ends.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("history: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
				holder = fmt.Sprintf("process %d", pid)
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("history: %w: %s is locked by %s (%s): stop that faultline serve, or give this one another --data directory", ErrLocked, dir, holder, path)
		}
		return nil, fmt.Errorf("history: lock %s: %w", path, err)
	}
	// Say who holds it, for the message above.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// release unlocks (closing the file drops the flock).
func (l *dirLock) release() error { return l.f.Close() }
