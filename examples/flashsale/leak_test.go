package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// load program runs its buyers in goroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
