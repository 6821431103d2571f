//go:build !race

package omstest

// raceDetector reports whether the race detector is compiled in.
const raceDetector = false
