//go:build race

package api_test

// raceEnabled: the race detector makes allocations larger.
const raceEnabled = true
