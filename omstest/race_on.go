//go:build race

package omstest

// raceDetector reports whether the race detector is compiled in: RunModel
// then runs an eighth of its sequences, as the detector makes each one
// about fifteen times slower.
const raceDetector = true
