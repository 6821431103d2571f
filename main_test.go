package oms_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// relay runs each delivery in a goroutine of its own, and the engine's
// tests start many.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
