//go:build unix

package inventory

import "syscall"

// openFlags make the open itself refuse a symbolic link and not block on
// a FIFO swapped in after the check.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
