//go:build !race

package openpsa_test

const raceEnabled = false
