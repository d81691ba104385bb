//go:build !unix

package inventory

// openFlags: elsewhere ReadFile relies on its checks before and after the
// open.
const openFlags = 0
